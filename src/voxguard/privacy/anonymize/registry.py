"""Anonymizers by configuration name."""

from collections.abc import Callable
from typing import Any

from voxguard.privacy.anonymize.base import AnonymizationError, Anonymizer, UnknownMethodError
from voxguard.privacy.anonymize.envwarp import EnvelopeWarpAnonymizer
from voxguard.privacy.anonymize.mcadams import McAdamsAnonymizer
from voxguard.privacy.anonymize.pitchwarp import PitchWarpMcAdamsAnonymizer

# The VoicePrivacy-style baseline: one fixed coefficient for every utterance.
BASELINE_ALPHA = 0.8
DEFAULT_METHOD = "envwarp"


def _mcadams(**params: Any) -> Anonymizer:
    return McAdamsAnonymizer(name="mcadams", **params)


def _mcadams_fixed(**params: Any) -> Anonymizer:
    params.setdefault("alpha", BASELINE_ALPHA)
    return McAdamsAnonymizer(name="mcadams-fixed", **params)


def _pitchwarp(**params: Any) -> Anonymizer:
    return PitchWarpMcAdamsAnonymizer(name="pitchwarp-mcadams", **params)


def _envwarp(**params: Any) -> Anonymizer:
    return EnvelopeWarpAnonymizer(name="envwarp", **params)


_FACTORIES: dict[str, Callable[..., Anonymizer]] = {
    "mcadams": _mcadams,
    "mcadams-fixed": _mcadams_fixed,
    "pitchwarp-mcadams": _pitchwarp,
    "envwarp": _envwarp,
}

METHODS: tuple[str, ...] = tuple(_FACTORIES)


def get_anonymizer(method: str, **params: Any) -> Anonymizer:
    """Builds the anonymizer registered as `method`, with optional parameter overrides.

    Raises UnknownMethodError (a ValueError) for an unknown name and AnonymizationError for
    parameters the method does not take or accept.
    """
    factory = _FACTORIES.get(method)
    if factory is None:
        raise UnknownMethodError(
            f"unknown anonymization method {method!r}; known methods: {', '.join(METHODS)}"
        )
    if "name" in params:
        raise AnonymizationError("the anonymizer name is fixed by the method")
    try:
        return factory(**params)
    except TypeError as exc:
        raise AnonymizationError(f"bad parameters for method {method!r}: {exc}") from exc
