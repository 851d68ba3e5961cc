"""Figures and their intervals: the same numbers as the reference libraries, resampled by account."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import jiwer
import pytest
from sklearn.metrics import accuracy_score, f1_score

from voxguard.feedback.charts import Interval, confusion_chart, interval_chart
from voxguard.feedback.metrics import confusion, edits, intent_scores, ratio_estimate


def test_wer_and_cer_agree_with_jiwer_after_normalising() -> None:
    refs = ["Set an alarm for seven.", "call [PERSON] now", "play jazz"]
    hyps = ["set alarm for seven", "call [PERSON] now please", ""]
    counts = [edits(r, h) for r, h in zip(refs, hyps, strict=True)]
    wer = ratio_estimate([c.words for c in counts], [c.ref_words for c in counts], ["a", "b", "c"])
    # jiwer on the normalised pairs it can take (it refuses an empty hypothesis): the same edits.
    assert jiwer.process_words(
        ["set an alarm for seven", "call [PERSON] now"],
        ["set alarm for seven", "call [PERSON] now please"],
    ).wer == pytest.approx((counts[0].words + counts[1].words) / 8)
    assert counts[2].words == 2 and counts[1].words == 1
    assert wer.value == pytest.approx((1 + 1 + 2) / (5 + 3 + 2))
    assert wer.low <= wer.value <= wer.high and wer.accounts == 3


def test_intent_scores_agree_with_scikit_learn_and_intervals_resample_accounts() -> None:
    rng = random.Random(3)
    labels = ["alarm_set", "weather_query", "play_music", "calling_call"]
    truth = [rng.choice(labels) for _ in range(400)]
    predicted = [t if rng.random() < 0.7 else rng.choice(labels) for t in truth]
    clusters = [f"acct-{i // 8}" for i in range(400)]  # 50 accounts of 8 clips
    accuracy, macro_f1 = intent_scores(truth, predicted, clusters)
    assert accuracy.value == pytest.approx(accuracy_score(truth, predicted))
    assert macro_f1.value == pytest.approx(f1_score(truth, predicted, average="macro"))
    assert accuracy.low < accuracy.value < accuracy.high and accuracy.accounts == 50
    assert macro_f1.low < macro_f1.value < macro_f1.high
    # One account: nothing to resample, the interval is the point (never a made-up width).
    alone = ratio_estimate([1, 2], [4, 4], ["a", "a"])
    assert (alone.low, alone.value, alone.high) == (0.375, 0.375, 0.375)
    # Same data, same interval: the bootstrap is seeded.
    assert intent_scores(truth, predicted, clusters) == (accuracy, macro_f1)


def test_confusion_keeps_the_frequent_labels_and_folds_the_rest() -> None:
    truth = ["a"] * 5 + ["b"] * 3 + ["c"]
    predicted = ["a"] * 4 + ["c"] + ["b"] * 3 + ["a"]
    labels, matrix = confusion(truth, predicted, top=2)
    assert labels == ["a", "b", "(other)"]
    assert matrix == [[4, 0, 1], [0, 3, 0], [1, 0, 0]]
    svg = ET.fromstring(confusion_chart(labels, matrix, title="Confusion"))
    assert svg.get("aria-label") == "Confusion" and svg.get("role") == "img"


def test_interval_chart_is_inline_svg_fit_for_a_strict_csp() -> None:
    svg = interval_chart(
        [
            Interval("en-us", "device", 0.2, 0.1, 0.3, 40),
            Interval("en-gb", "whisper", 0.1, 0.05, 0.2, 9),
        ],
        title="WER by locale",
        value_label="word error rate",
    )
    root = ET.fromstring(svg)
    assert not [
        e for e in root.iter() if "style" in e.attrib or e.tag.endswith(("style", "script"))
    ]
    assert "<?xml" not in svg and "metadata" not in svg
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"en-us", "en-gb", "device", "whisper"} <= texts
