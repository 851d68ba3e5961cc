"""Voice anonymization: McAdams coefficient (random or fixed alpha), a source-filter method
(random residual pitch shift + envelope warp + McAdams), an STFT-domain envelope warp that
keeps the fine structure and phase (envwarp), and a random pitch and formant change by
time-domain PSOLA on our own pitch marks (tdpsola).

    from voxguard.privacy.anonymize import get_anonymizer
    anonymizer = get_anonymizer("tdpsola")   # the default, DEFAULT_METHOD
    out = anonymizer(audio, 16000, seed=1234)   # float32, same length, peak <= 0.99
"""

from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    Anonymizer,
    InvalidAudioError,
    UnknownMethodError,
    UnreadableAudioError,
)
from voxguard.privacy.anonymize.driftwarp import DriftWarpAnonymizer, DriftWarpPlan
from voxguard.privacy.anonymize.envwarp import EnvelopeWarpAnonymizer, EnvWarpParams
from voxguard.privacy.anonymize.files import anonymize_directory, file_seed
from voxguard.privacy.anonymize.mcadams import McAdamsAnonymizer
from voxguard.privacy.anonymize.pitchwarp import PitchWarpMcAdamsAnonymizer, PitchWarpParams
from voxguard.privacy.anonymize.psola import PsolaAnonymizer
from voxguard.privacy.anonymize.registry import (
    BASELINE_ALPHA,
    DEFAULT_METHOD,
    EXPLORATION_METHODS,
    METHODS,
    get_anonymizer,
)
from voxguard.privacy.anonymize.tdpsola import PsolaParams, TdPsolaAnonymizer

__all__ = [
    "BASELINE_ALPHA",
    "DEFAULT_METHOD",
    "EXPLORATION_METHODS",
    "METHODS",
    "AnonymizationError",
    "Anonymizer",
    "DriftWarpAnonymizer",
    "DriftWarpPlan",
    "EnvWarpParams",
    "EnvelopeWarpAnonymizer",
    "InvalidAudioError",
    "McAdamsAnonymizer",
    "PitchWarpMcAdamsAnonymizer",
    "PitchWarpParams",
    "PsolaAnonymizer",
    "PsolaParams",
    "TdPsolaAnonymizer",
    "UnknownMethodError",
    "UnreadableAudioError",
    "anonymize_directory",
    "file_seed",
    "get_anonymizer",
]
