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
import channel_norm
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


def _voiced_and_unvoiced(rate: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Alternating 0.4 s "vowels" (a 110-140 Hz pulse train through two resonances) and 0.6 s
    of "consonants" and pauses (white noise, then near-silence); returns the audio and a mask of
    the vowel samples (40 % of the total)."""
    parts, mask = [], []
    for i in range(8):
        n = int(0.4 * rate)
        f0 = 110 + 4 * i
        pulses = np.zeros(n)
        pulses[:: int(rate / f0)] = 1.0
        vowel = pulses
        for centre in (700, 1800):
            b, a = ssig.iirpeak(centre, 8, fs=rate)
            vowel = ssig.lfilter(b, a, vowel)
        vowel /= np.sqrt(np.mean(vowel**2))
        noise = 0.5 * rng.standard_normal(int(0.3 * rate))
        pause = 1e-3 * rng.standard_normal(int(0.3 * rate))
        parts += [vowel, noise, pause]
        mask += [np.ones(n, bool), np.zeros(noise.size + pause.size, bool)]
    return np.concatenate(parts), np.concatenate(mask)


def test_voiced_frames_are_the_vowels() -> None:
    rate = 16_000
    x, vowels = _voiced_and_unvoiced(rate, np.random.default_rng(1))
    spectrum = ChannelNormaliser([x], rate)._stft(x)
    voiced = channel_norm.voiced_frames(spectrum, rate)
    # Frame k is centred on sample k * hop; frames straddling a boundary may go either way.
    hop = ChannelNormaliser.NPERSEG // 2
    centres = np.minimum(np.arange(voiced.size) * hop, x.size - 1)
    inside = ssig.convolve(vowels, np.ones(2 * hop), "same") / (2 * hop)
    clear_vowel, clear_other = inside[centres] > 0.999, inside[centres] < 0.001
    assert voiced[clear_vowel].mean() > 0.9
    assert voiced[clear_other].mean() < 0.05


def test_voiced_normaliser_undoes_an_equaliser_on_voiced_frames_only() -> None:
    """The voiced-tilt attack (privacy/anonymize/source.py): a fixed equaliser laid on the vowels
    only. The utterance-wide average is diluted by the noise and pauses, so the vowels keep most
    of the colour; the voiced-frames average removes it. Fails if voiced_only is ignored."""
    rate = 16_000
    x, vowels = _voiced_and_unvoiced(rate, np.random.default_rng(2))
    dull = ssig.lfilter(*ssig.butter(2, 1000, "low", fs=rate), x)
    equalised = np.where(vowels, dull, x)
    utterance = ChannelNormaliser([x], rate)
    voiced = ChannelNormaliser([x], rate, voiced_only=True)

    def vowel_brightness(y: np.ndarray) -> float:
        """dB of 2.5-5 kHz over 200-600 Hz in the vowels' middle halves."""
        f, t, z = ssig.stft(y, rate, nperseg=512)
        at = np.interp(t * rate, np.arange(x.size), ssig.convolve(vowels, np.ones(4000), "same"))
        p = (np.abs(z[:, at >= 4000 - 1e-6]) ** 2).mean(axis=1)
        return float(
            10 * np.log10(p[(f > 2500) & (f < 5000)].mean() / p[(f > 200) & (f < 600)].mean())
        )

    colour = vowel_brightness(equalised) - vowel_brightness(x)
    assert colour < -15
    left_by_utterance = vowel_brightness(utterance(equalised)) - vowel_brightness(utterance(x))
    left_by_voiced = vowel_brightness(voiced(equalised)) - vowel_brightness(voiced(x))
    assert left_by_utterance < 0.4 * colour  # most of the colour stays
    assert abs(left_by_voiced) < 0.15 * abs(colour)
    assert abs(left_by_voiced) < 0.25 * abs(left_by_utterance)
    with pytest.raises(ValueError, match="window"):
        ChannelNormaliser([x], rate, window_seconds=1.6, voiced_only=True)


def test_per_class_normaliser_leaves_the_unvoiced_frames_uncoloured() -> None:
    """Dividing the vowels' average out of every frame lays the inverse equaliser on the noise;
    the per-class normaliser (by_voicing) undoes the vowels' colour and leaves the noise's."""
    rate = 16_000
    x, vowels = _voiced_and_unvoiced(rate, np.random.default_rng(3))
    equalised = np.where(vowels, ssig.lfilter(*ssig.butter(2, 1000, "low", fs=rate), x), x)
    every_frame = ChannelNormaliser([x], rate, voiced_only=True)
    per_class = ChannelNormaliser([x], rate, by_voicing=True)

    def brightness(y: np.ndarray, where: np.ndarray) -> float:
        """dB of 2.5-5 kHz over 200-600 Hz in the middles of the ``where`` stretches."""
        f, t, z = ssig.stft(y, rate, nperseg=512)
        at = np.interp(t * rate, np.arange(x.size), ssig.convolve(where, np.ones(2000), "same"))
        p = (np.abs(z[:, at >= 2000 - 1e-6]) ** 2).mean(axis=1)
        return float(
            10 * np.log10(p[(f > 2500) & (f < 5000)].mean() / p[(f > 200) & (f < 600)].mean())
        )

    # The noise bursts, not the near-silent pauses.
    noise = ~vowels & (ssig.convolve(np.abs(x), np.ones(400) / 400, "same") > 0.05)
    colour = brightness(equalised, vowels) - brightness(x, vowels)
    assert colour < -15
    for normalise in (every_frame, per_class):
        left = brightness(normalise(equalised), vowels) - brightness(normalise(x), vowels)
        assert abs(left) < 0.15 * abs(colour)
    on_noise_every = brightness(every_frame(equalised), noise) - brightness(every_frame(x), noise)
    on_noise_class = brightness(per_class(equalised), noise) - brightness(per_class(x), noise)
    assert on_noise_every > 0.7 * abs(colour)  # the inverse equaliser, on frames that had none
    assert abs(on_noise_class) < 0.15 * abs(colour)
    with pytest.raises(ValueError, match="two different"):
        ChannelNormaliser([x], rate, voiced_only=True, by_voicing=True)


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


def test_the_agreement_proxy_keeps_the_services_vad_unless_told() -> None:
    """The published metric decodes as the service does (VAD gate on); --no-asr-vad is the
    comparison the README reports, never the default."""
    import privacy_eval

    assert privacy_eval.parse_args([]).asr_vad is True
    assert privacy_eval.parse_args(["--no-asr-vad"]).asr_vad is False
