"""bench/: the by-speaker tuning / held-out split of the privacy benchmark (speechocean.py).

The WORLD-vocoder comparison row (bench/world_vtln.py) needs pyworld from the eval extra, which
the test install leaves out; the benchmark checks its own output length when it runs."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import speechocean
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
