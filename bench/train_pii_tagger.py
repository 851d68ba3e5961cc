"""Rebuild the PII tagger shipped in ``src/voxguard/privacy/pii/tagger/model/`` (deterministic).

    .venv/bin/pip install -e '.[pii-train]'      # Faker
    .venv/bin/python bench/train_pii_tagger.py  # ~10 min on 2 cores

Trains a linear-chain CRF (python-crfsuite, L-BFGS) on ``pii_corpus.training_corpus`` with the
rule recognizers' spans as features, then picks the probability threshold on
``pii_corpus.tuning_corpus``: the highest threshold at which every tagged type keeps a word recall
of at least ``TARGET_TUNE_RECALL`` (a margin over the 0.95 goal), precision at least
``MIN_TUNE_PRECISION``. Nothing here reads the held-out splits. Same seed, same Faker version,
same data: same model bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import pii_corpus as corpus

ROOT = Path(__file__).resolve().parents[1]
TARGET_TUNE_RECALL = 0.97
MIN_TUNE_PRECISION = 0.85
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 13))
CRF_PARAMS = {
    "c1": 0.05,  # L1: keeps the model small (most feature weights end at zero)
    "c2": 0.01,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}


CACHE_DIR = ROOT / "bench" / "results" / "pii_rule_types"


def rule_types(detector: object, utterances: list[corpus.Utterance]) -> list[list[str | None]]:
    """Per utterance and word, the type of the rule span covering it (a feature of the tagger).

    The rules take most of the build time, so their output is cached under bench/results by
    a digest of the corpus and of the rule recognizers' source."""
    from voxguard.privacy.pii import recognizers
    from voxguard.privacy.pii.engine import word_types
    from voxguard.privacy.pii.numbers import normalise

    digest = hashlib.sha256(corpus_digest(utterances).encode())
    for source in sorted(Path(recognizers.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    cache = CACHE_DIR / f"{digest.hexdigest()[:20]}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    types = [
        word_types(detector.rule_spans(normalise(u.text)), len(u.words))  # type: ignore[attr-defined]
        for u in utterances
    ]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(types))
    return types


def corpus_digest(utterances: list[corpus.Utterance]) -> str:
    h = hashlib.sha256()
    for u in utterances:
        h.update(json.dumps([u.text, u.labels()]).encode())
    return h.hexdigest()


def word_scores(
    utterances: list[corpus.Utterance], probs: list[list[dict[str, float]]], threshold: float
) -> tuple[dict[str, float], float]:
    """Per-type word recall (hidden by any type) and precision of all tagged words."""
    gold_words: dict[str, int] = {}
    hidden: dict[str, int] = {}
    tagged = correct = 0
    for u, sent in zip(utterances, probs, strict=True):
        gold = [None] * len(u.words)
        for s, e, typ in u.spans:
            for k in range(s, e):
                gold[k] = typ
        for k, p in enumerate(sent):
            on = sum(p.values()) >= threshold
            if gold[k] is not None:
                gold_words[gold[k]] = gold_words.get(gold[k], 0) + 1
                hidden[gold[k]] = hidden.get(gold[k], 0) + on
            tagged += on
            correct += on and gold[k] is not None
    recall = {t: hidden[t] / gold_words[t] for t in gold_words}
    return recall, correct / tagged if tagged else float("nan")


def choose_threshold(
    utterances: list[corpus.Utterance], probs: list[list[dict[str, float]]]
) -> tuple[float, list[dict[str, object]]]:
    table = []
    chosen = THRESHOLDS[0]
    for t in THRESHOLDS:
        recall, precision = word_scores(utterances, probs, t)
        table.append({"threshold": t, "recall": recall, "precision": precision})
        if min(recall.values()) >= TARGET_TUNE_RECALL and precision >= MIN_TUNE_PRECISION:
            chosen = t
    return chosen, table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-template", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--out-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import faker
    import pycrfsuite

    from voxguard.privacy.pii import PiiDetector
    from voxguard.privacy.pii.tagger import (
        FEATURE_VERSION,
        MODEL_NAME,
        MODEL_VERSION,
        PiiTagger,
        sentence_features,
    )
    from voxguard.privacy.pii.tagger.model import MODEL_DIR

    out_dir = args.out_dir or MODEL_DIR
    data = corpus.shared_data_dir()
    t0 = time.perf_counter()
    detector = PiiDetector(use_tagger=False)
    train = corpus.training_corpus(data, args.per_template, args.seed)
    print(f"training corpus: {len(train)} utterances", flush=True)
    train_types = rule_types(detector, train)
    print(f"rule spans in {time.perf_counter() - t0:.0f} s", flush=True)
    trainer = pycrfsuite.Trainer(verbose=False)
    for u, types in zip(train, train_types, strict=True):
        trainer.append(sentence_features(u.words, detector.lexicon, types), u.labels())
    trainer.set_params(CRF_PARAMS)
    print(f"features built in {time.perf_counter() - t0:.0f} s; training ...", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / f"{MODEL_NAME}.crfsuite"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_model = Path(tmp) / "model.crfsuite"
        trainer.train(str(tmp_model))
        model_path.write_bytes(tmp_model.read_bytes())
    labels = sorted({label for u in train for label in u.labels()})
    meta = {
        "version": MODEL_VERSION,
        "feature_version": FEATURE_VERSION,
        "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        "threshold": THRESHOLDS[0],
        "labels": labels,
        "trained_with": {
            "script": "bench/train_pii_tagger.py",
            "seed": args.seed,
            "per_template": args.per_template,
            "faker": faker.VERSION,
            "crf_params": CRF_PARAMS,
            "utterances": len(train),
            "corpus_sha256": corpus_digest(train),
            "train_locales": list(corpus.TRAIN_LOCALES),
            "heldout_locales": list(corpus.HELDOUT_LOCALES),
        },
    }
    meta_path = out_dir / f"{MODEL_NAME}.json"
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"trained in {time.perf_counter() - t0:.0f} s; tuning the threshold ...", flush=True)
    tune = corpus.tuning_corpus(data, args.seed)
    tagger = PiiTagger(detector.lexicon, out_dir, MODEL_NAME)
    probs = [
        tagger.probabilities(u.words, types)
        for u, types in zip(tune, rule_types(detector, tune), strict=True)
    ]
    threshold, table = choose_threshold(tune, probs)
    meta["threshold"] = threshold
    meta["tuning"] = {
        "utterances": len(tune),
        "target_recall": TARGET_TUNE_RECALL,
        "min_precision": MIN_TUNE_PRECISION,
        "table": table,
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for row in table:
        recall = " ".join(f"{t[:5]}={r:.3f}" for t, r in sorted(row["recall"].items()))  # type: ignore[union-attr]
        print(f"  threshold {row['threshold']:.2f}: {recall} precision={row['precision']:.3f}")
    size = model_path.stat().st_size
    print(
        f"{model_path} ({size / 1e6:.1f} MB), threshold {threshold}, "
        f"{time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
