"""Tests of voxguard.asr on real speech (LJ Speech / FSDD when present, synthesised speech when the
demo synthesiser is available) and on audio the tests generate themselves."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.support import needs
from voxguard.asr import (
    AlignmentError,
    AsrEngine,
    AsrInputError,
    ModelIntegrityError,
    Transcript,
    UnknownEngineError,
    UnreadableAudioError,
    Word,
    align,
    get_engine,
    normalize_text,
    transcribe_directory,
    verify_model,
)
from voxguard.asr.base import to_16k_mono
from voxguard.asr.evaluate import word_error_rate
from voxguard.asr.normalize import (
    group_spoken_words,
    merge_digit_tokens,
    split_span,
    spoken_words,
)
from voxguard.asr.sphinx import letters_to_phones
from voxguard.asr.whisper import MODEL_SHA256, default_model_dir
from voxguard.audio import read_audio_file

DATA = needs.shared_data()
LJ = DATA / "ljspeech-coqui"
FSDD = DATA / "fsdd" / "recordings"


@pytest.fixture
def lj_speech() -> Path:
    return needs.shared("ljspeech-coqui/metadata.csv").parent


@pytest.fixture
def fsdd() -> Path:
    return needs.shared("fsdd/recordings")


needs_lj = pytest.mark.usefixtures("lj_speech")
needs_fsdd = pytest.mark.usefixtures("fsdd")


def _lj_reference(clip_id: str) -> str:
    for line in (LJ / "metadata.csv").read_text(encoding="utf-8").splitlines():
        parts = line.split("|")
        if parts[0] == clip_id:
            return parts[2]
    raise KeyError(clip_id)


def _lj(clip_id: str) -> tuple[np.ndarray, int]:
    return read_audio_file(LJ / "wavs" / f"{clip_id}.wav")


def _synthesize(text: str) -> tuple[np.ndarray, int]:
    speech = needs.module("voxguard.demo.speech", "the demo synthesiser is not available")
    try:
        return speech.synthesize(text)
    except (OSError, RuntimeError) as exc:  # e.g. its espeak-ng library cannot be loaded here
        needs.missing(f"the demo synthesiser failed: {exc}")


def _assert_timings(words: list[Word], duration: float) -> None:
    previous_end = 0.0
    for w in words:
        assert 0.0 <= w.start <= w.end <= duration + 1e-6, w
        assert w.start >= previous_end - 1e-6, (w, previous_end)
        previous_end = w.end


@pytest.fixture(scope="module")
def whisper() -> AsrEngine:
    return get_engine("whisper")


@pytest.fixture(scope="module")
def sphinx() -> AsrEngine:
    return get_engine("pocketsphinx")


# --- registry and model integrity ----------------------------------------------------------


def test_unknown_engine_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown ASR engine 'kaldi'"):
        get_engine("kaldi")
    with pytest.raises(UnknownEngineError):
        get_engine("")


def test_engines_are_cached_and_follow_the_interface(whisper: AsrEngine, sphinx: AsrEngine) -> None:
    assert get_engine() is whisper
    assert get_engine("pocketsphinx") is sphinx
    assert (whisper.name, sphinx.name) == ("whisper", "pocketsphinx")
    assert isinstance(whisper, AsrEngine) and isinstance(sphinx, AsrEngine)


def test_whisper_adaptations_built_in_memory_are_cached_apart() -> None:
    from voxguard.asr.adaptation import AsrAdaptation

    hot = AsrAdaptation("hot", Path("."), hotwords="alarm")
    prompt = AsrAdaptation("prompt", Path("."), initial_prompt="alarm.")
    first, second = get_engine(adaptation=hot), get_engine(adaptation=prompt)
    assert first is not second and get_engine(adaptation=hot) is first
    assert (first.hotwords, second.initial_prompt) == ("alarm", "alarm.")  # type: ignore[attr-defined]
    assert (first.name, second.name) == ("whisper+hot", "whisper+prompt")
    # An adaptation that sets nothing for Whisper leaves it as it is, name and all.
    assert get_engine(adaptation=AsrAdaptation("none", Path("."))).name == "whisper"


def test_installed_model_matches_pinned_hashes() -> None:
    verify_model(default_model_dir())
    verify_model(default_model_dir() / "model.bin")


def test_tampered_or_missing_model_is_rejected(tmp_path: Path) -> None:
    for name in MODEL_SHA256:
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(ModelIntegrityError, match=r"config\.json|model\.bin"):
        verify_model(tmp_path)
    (tmp_path / "model.bin").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify_model(tmp_path / "model.bin")


# --- spoken-form normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Call 555-1212.", "call five five five one two one two"),
        ("card 4111 1111 1111 1111", "card" + " four one one one" + " one one one one" * 3),
        ("the 42-line Bible of 1455.", "the forty two line bible of fourteen fifty five"),
        (
            "In 2005, 1,250,000 people",
            "in two thousand five one million two hundred fifty thousand people",
        ),
        ("the 15th and 21st", "the fifteenth and twenty first"),
        ("zip 02139 at 7:05 p.m.", "zip zero two one three nine at seven oh five p m"),
        ("$5.50, 50% off", "five dollars fifty cents fifty percent off"),
        ("Mail john.doe@gmail.com", "mail john dot doe at gmail dot com"),
        ("Don't \"quote\" me — O'Brien's 1990s!", "don't quote me o'brien's nineteen nineties"),
        ("It's 0 or 100 or 3.14", "it's zero or one hundred or three point one four"),
    ],
)
def test_normalize_text_to_spoken_form(written: str, spoken: str) -> None:
    assert normalize_text(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("wake me up at 615 tomorrow", "wake me up at six fifteen tomorrow"),
        ("set an alarm for 730.", "set an alarm for seven thirty"),
        ("the train leaves at 905.", "the train leaves at nine oh five"),
        ("book it for 8 45", "book it for eight forty five"),
        ("at 700 pm", "at seven pm"),
        ("730 tomorrow morning", "seven thirty tomorrow morning"),
        # quantities keep their number reading
        ("it costs 730 dollars", "it costs seven hundred thirty dollars"),
        ("i need 200 grams", "i need two hundred grams"),
        ("at 700", "at seven hundred"),
        ("room 412", "room four hundred twelve"),
        ("for 4845", "for four thousand eight hundred forty five"),
    ],
)
def test_times_of_day_are_read_as_times(written: str, spoken: str) -> None:
    assert normalize_text(written) == spoken


def test_whisper_split_time_tokens_read_as_a_time() -> None:
    # Whisper writes "seven thirty" as " 7" ".30": one group, read as a time after "for"
    tokens = [" Set", " an", " alarm", " for", " 7", ".30", " tomorrow"]
    words = [w for g in merge_digit_tokens(tokens) for w in group_spoken_words(tokens, g)]
    assert " ".join(words) == "set an alarm for seven thirty tomorrow"
    # no time cue: a glued decimal stays a decimal, not "three five"
    tokens = [" It", " is", " 3", ".5", " metres"]
    words = [w for g in merge_digit_tokens(tokens) for w in group_spoken_words(tokens, g)]
    assert " ".join(words) == "it is three point five metres"


def test_token_time_is_split_evenly_among_its_spoken_words() -> None:
    words = spoken_words(" 1455.")
    assert words == ["fourteen", "fifty", "five"]
    spans = split_span(words, 1.0, 1.6)
    assert [round(s, 6) for _, s, _ in spans] == [1.0, 1.2, 1.4]
    assert spans[-1][2] == 1.6
    assert spoken_words("the(2)") == ["the"]  # pocketsphinx alternate pronunciation marker
    assert spoken_words(",") == []


def test_letter_to_sound_guess_for_unknown_words() -> None:
    assert letters_to_phones("okonkwo") == "AA K AA N K W OW"
    assert letters_to_phones("漢字") == ""


# --- input validation ----------------------------------------------------------------------


def test_bad_audio_input_is_rejected(sphinx: AsrEngine) -> None:
    with pytest.raises(AsrInputError, match="mono"):
        sphinx.transcribe(np.zeros((2, 16000), np.float32), 16000)
    with pytest.raises(AsrInputError, match="sample_rate"):
        sphinx.transcribe(np.zeros(16000, np.float32), 0)
    with pytest.raises(AsrInputError, match="NaN"):
        sphinx.transcribe(np.full(16000, np.nan, np.float32), 16000)


def test_empty_audio_gives_empty_transcript(whisper: AsrEngine, sphinx: AsrEngine) -> None:
    for engine in (whisper, sphinx):
        assert engine.transcribe(np.zeros(0, np.float32), 8000) == Transcript("", [], engine.name)


def test_a_pure_tone_does_not_make_whisper_loop(whisper: AsrEngine) -> None:
    # Bleeps are tones; greedy decoding alone writes "beep beep beep ..." until the token limit.
    t = np.arange(16000) / 16000
    result = whisper.transcribe((0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    assert len(result.words) <= 3


def test_resampling_keeps_duration() -> None:
    x = to_16k_mono(np.zeros(22050, np.float32), 22050)
    assert x.dtype == np.float32 and x.shape == (16000,)


# --- transcription of real speech ----------------------------------------------------------


@needs_lj
@pytest.mark.parametrize("clip_id", ["LJ001-0002", "LJ001-0007"])
def test_whisper_transcribes_lj_speech(whisper: AsrEngine, clip_id: str) -> None:
    audio, rate = _lj(clip_id)
    result = whisper.transcribe(audio, rate)
    assert result.engine == "whisper"
    assert result.text == " ".join(w.word for w in result.words)
    assert result.text == result.text.lower()
    assert not any(ch.isdigit() for ch in result.text)  # "1455" comes out spoken
    assert word_error_rate([_lj_reference(clip_id)], [result.text]) <= 0.2
    _assert_timings(result.words, audio.shape[0] / rate)


@needs_lj
def test_pocketsphinx_transcribes_lj_speech(sphinx: AsrEngine) -> None:
    audio, rate = _lj("LJ001-0004")
    result = sphinx.transcribe(audio, rate)
    assert word_error_rate([_lj_reference("LJ001-0004")], [result.text]) <= 0.35
    _assert_timings(result.words, audio.shape[0] / rate)
    assert result.words[0].start < 0.5  # the speech starts at once


@needs_fsdd
def test_whisper_recognises_spoken_digits(whisper: AsrEngine) -> None:
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    digits = [1, 2, 6, 9]  # whisper pads every clip to 30 s, so keep this list short
    correct = 0
    for digit in digits:
        audio, rate = read_audio_file(FSDD / f"{digit}_jackson_0.wav")
        result = whisper.transcribe(audio, rate)  # 8 kHz input, resampled internally
        _assert_timings(result.words, audio.shape[0] / rate)
        correct += result.text.split() == [names[digit]]
    assert correct >= len(digits) - 1


def test_synthesised_phone_number_comes_out_spoken(whisper: AsrEngine) -> None:
    audio, rate = _synthesize("please call five five five one two one two")
    result = whisper.transcribe(audio, rate)
    _assert_timings(result.words, audio.shape[0] / rate)
    assert "call" in result.text.split()
    assert result.text.split().count("five") >= 2


# --- forced alignment ----------------------------------------------------------------------


@needs_lj
def test_align_places_known_words_at_known_times() -> None:
    """Two clips joined by exact digital silence: the second clip's first word starts at its
    offset, which the test knows by construction."""
    first, rate = _lj("LJ001-0002")  # "in being comparatively modern."
    second, rate2 = _lj("LJ001-0008")  # "has never been surpassed."
    assert rate == rate2
    lead, gap = np.zeros(rate // 2, np.float32), np.zeros(rate, np.float32)
    audio = np.concatenate([lead, first, gap, second, lead])
    offset = (lead.size + first.size + gap.size) / rate
    text = "In being comparatively modern. Has never been surpassed."
    words = align(audio, rate, text)
    assert " ".join(w.word for w in words) == normalize_text(text)
    _assert_timings(words, audio.size / rate)
    by_word = {w.word: w for w in words}
    assert abs(by_word["has"].start - offset) < 0.25
    assert by_word["modern"].end < (lead.size + first.size) / rate + 0.25
    assert abs(by_word["in"].start - lead.size / rate) < 0.25


@needs_lj
def test_align_handles_numbers_and_words_missing_from_the_dictionary() -> None:
    audio, rate = _lj("LJ001-0003")  # contains "woodcutters", which CMUdict lacks
    text = _lj_reference("LJ001-0003")
    words = align(audio, rate, text)
    assert [w.word for w in words] == normalize_text(text).split()
    _assert_timings(words, audio.size / rate)
    cutters = next(w for w in words if w.word == "woodcutters")
    assert cutters.end - cutters.start > 0.2

    audio, rate = _lj("LJ001-0007")  # raw transcript writes "1455"
    words = align(audio, rate, _lj_reference("LJ001-0007").replace("fourteen fifty-five", "1455"))
    assert [w.word for w in words[-3:]] == ["fourteen", "fifty", "five"]
    assert words[-1].end > audio.size / rate - 1.5


@needs_lj
def test_align_rejects_text_that_cannot_fit() -> None:
    audio, rate = _lj("LJ001-0002")  # 1.8 s: far too short for the words below
    with pytest.raises(AlignmentError, match="does the text match"):
        align(audio, rate, _lj_reference("LJ001-0001") + " " + _lj_reference("LJ001-0003"))


def test_align_edge_cases() -> None:
    assert align(np.zeros(16000, np.float32), 16000, " ,.! ") == []
    with pytest.raises(AlignmentError, match="too short"):
        align(np.zeros(100, np.float32), 16000, "hello")
    with pytest.raises(AlignmentError, match="cannot pronounce"):
        align(np.zeros(16000, np.float32), 16000, "漢字")


@pytest.mark.parametrize(
    "text",
    [
        # Ends abruptly on "smith": the lattice best-path pass used to drop it.
        "please call five five five one two one two and ask for john smith",
        # Without the -72 dBFS noise floor this aligned no word at all (digital silence).
        "my card number is four one one one one one one one one one one one one one one one",
    ],
)
def test_align_synthesised_speech_with_digital_silence(text: str) -> None:
    audio, rate = _synthesize(text)
    words = align(audio, rate, text)
    assert [w.word for w in words] == text.split()  # every word, incl. the last one
    _assert_timings(words, audio.size / rate)


# --- directory transcription ---------------------------------------------------------------


def _write_clips(folder: Path) -> dict[str, str]:
    """A generated tone (always) and, when LJ Speech is present, a speech clip as FLAC."""
    folder.mkdir()
    t = np.arange(16000) / 16000
    sf.write(folder / "a_tone.wav", (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    expected = {"a_tone": ""}
    if (LJ / "metadata.csv").exists():
        audio, rate = _lj("LJ001-0008")
        sf.write(folder / "b_speech.flac", audio, rate)
        expected["b_speech"] = _lj_reference("LJ001-0008")
    (folder / "notes.txt").write_text("not audio")
    return expected


@pytest.mark.parametrize("engine", ["whisper", "pocketsphinx"])
def test_transcribe_directory_writes_one_line_per_clip(
    tmp_path: Path, engine: str, whisper: AsrEngine, sphinx: AsrEngine
) -> None:
    expected = _write_clips(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    calls: list[tuple[int, int]] = []
    count = transcribe_directory(tmp_path / "in", out, engine, lambda d, t: calls.append((d, t)))
    n = len(expected)
    assert count == n
    assert calls == [(i, n) for i in range(n + 1)]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [rec["id"] for rec in lines] == sorted(expected)
    for rec in lines:
        assert set(rec) == {"id", "text", "words"}
        assert rec["text"] == " ".join(w["word"] for w in rec["words"])
        for w in rec["words"]:
            assert set(w) == {"word", "start", "end"} and w["start"] <= w["end"]
        if expected[rec["id"]]:
            assert word_error_rate([expected[rec["id"]]], [rec["text"]]) <= 0.5


def test_transcribe_directory_names_the_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    sf.write(folder / "good.wav", np.zeros(8000, np.float32), 16000)
    (folder / "broken.flac").write_bytes(b"RIFF\x00\x00garbage" * 10)
    out = tmp_path / "out.jsonl"
    with pytest.raises(UnreadableAudioError, match=r"broken\.flac"):
        transcribe_directory(folder, out, "pocketsphinx")
    assert not out.exists()
    assert list(tmp_path.glob("*.partial")) == []
    with pytest.raises(ValueError):  # the CLI maps ValueError to a usage error
        transcribe_directory(folder, out, "pocketsphinx")


def test_transcribe_directory_input_errors(tmp_path: Path) -> None:
    with pytest.raises(AsrInputError, match="not a directory"):
        transcribe_directory(tmp_path / "missing", tmp_path / "o.jsonl", "pocketsphinx")
    folder = tmp_path / "dup"
    folder.mkdir()
    for name in ("x.wav", "x.flac"):
        sf.write(folder / name, np.zeros(800, np.float32), 16000)
    with pytest.raises(AsrInputError, match="share the id 'x'"):
        transcribe_directory(folder, tmp_path / "o.jsonl", "pocketsphinx")
    with pytest.raises(UnknownEngineError):
        transcribe_directory(tmp_path, tmp_path / "o.jsonl", "nope")
