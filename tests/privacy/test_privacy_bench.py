"""bench/: the by-speaker tuning / held-out split of the privacy benchmark (speechocean.py) and
the channel normalisers its attackers put before their speaker encoder (channel_norm.py).

The WORLD-vocoder comparison row (bench/world_vtln.py) needs pyworld from the eval extra, which
the test install leaves out; the benchmark checks its own output length when it runs."""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ssig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import speechocean
from channel_norm import ChannelNormaliser
from tests.support import needs


def test_split_is_balanced_by_gender_and_fixed_by_the_ids() -> None:
    genders = {f"S{i:03d}": "F" if i % 3 else "M" for i in range(40)}
    split = speechocean.split_speakers(genders)
    assert set(split) == set(genders)
    for g in ("F", "M"):
        halves = [split[s] for s, gg in genders.items() if gg == g]
        assert abs(halves.count("tune") - halves.count("heldout")) <= 1
    # The order the speakers are listed in does not matter, only their ids.
    assert speechocean.split_speakers(dict(reversed(list(genders.items())))) == split


def test_real_set_halves_are_disjoint_25_plus_25() -> None:
    root = needs.shared(speechocean.FOLDER)
    genders = speechocean.read_speakers(root)
    tune = speechocean.half_speakers(root, "tune", 25)
    held = speechocean.half_speakers(root, "heldout", 25)
    assert len(tune) == len(held) == 50 and not set(tune) & set(held)
    for half in (tune, held):
        assert sum(genders[s] == "F" for s in half) == 25
    # A quick run uses a fixed sub-sample of the same half.
    assert set(speechocean.half_speakers(root, "heldout", 8)) <= set(held)
    clips = speechocean.read_clips(root)
    assert all(len(clips[s]) == 10 and clips[s][0].path.is_file() for s in tune[:3])
    with pytest.raises(ValueError, match="half"):
        speechocean.half_speakers(root, "train", 1)


def test_channel_normalisers_undo_fixed_and_slowly_drifting_equalisers() -> None:
    """The attackers' pre-processing: the utterance-wide normaliser removes a fixed equaliser but
    not one that changes half-way; the sliding-window one removes both."""
    rate = 16_000
    rng = np.random.default_rng(0)
    x = rng.standard_normal(6 * rate)
    low = ssig.lfilter(*ssig.butter(2, 1000, "low", fs=rate), x)  # a dull "channel"
    high = ssig.lfilter(*ssig.butter(2, 1000, "high", fs=rate), x)  # a bright one
    drifting = np.concatenate([low[: 3 * rate], high[3 * rate :]])
    utterance = ChannelNormaliser([x], rate)
    sliding = ChannelNormaliser([x], rate, window_seconds=1.6)

    def brightness(y: np.ndarray) -> float:
        """dB of 4-6 kHz over 200-600 Hz: 0 for white noise."""
        f, p = ssig.welch(y, rate, nperseg=512)
        return float(
            10 * np.log10(p[(f > 4000) & (f < 6000)].mean() / p[(f > 200) & (f < 600)].mean())
        )

    first, second = slice(rate // 2, 5 * rate // 2), slice(7 * rate // 2, 11 * rate // 2)
    assert brightness(low) < -20
    assert abs(brightness(utterance(low))) < 2 and abs(brightness(sliding(low))) < 2
    # A whole-utterance average sits between the two halves: each half keeps its colour.
    normalised = utterance(drifting)
    assert brightness(normalised[first]) < -10 and brightness(normalised[second]) > 10
    slid = sliding(drifting)
    assert abs(brightness(slid[first])) < 2 and abs(brightness(slid[second])) < 2


def test_published_figures_copy_a_full_run_unchanged_and_refuse_a_partial_one() -> None:
    from publish_privacy_figures import published  # type: ignore[import-not-found]

    method = {
        "primary_set": "so-heldout",
        "speaker_verification": {"so-heldout": {"lazy": {"eer": 0.37}}, "fsdd": {}},
        "asr_agreement_wer": {"so-heldout": 0.447, "lj": 0.08},
        "rtf": 0.01,
    }
    report = {
        "command": "bench/privacy_eval.py --halves heldout",
        "started": "2026-12-07T15:00:00+00:00",
        "methods": {"original": {"primary_set": "so-heldout"}, "pitchwarp-mcadams": method},
        "pii": {"assistant_domain": {"PERSON": {"recall": 0.97}}},
    }
    out = published(report, "privacy-x.json")
    assert list(out["methods"]) == ["pitchwarp-mcadams"]  # the original audio has no figures
    assert out["methods"]["pitchwarp-mcadams"] == {
        "primary_set": "so-heldout",
        "speaker_verification": {"so-heldout": {"lazy": {"eer": 0.37}}},
        "asr_agreement_wer": {"so-heldout": 0.447},
    }
    assert out["pii"] == report["pii"] and out["published_from"] == "privacy-x.json"
    with pytest.raises(ValueError, match="PII"):
        published({**report, "pii": None}, "privacy-y.json")  # a --primary-only run
