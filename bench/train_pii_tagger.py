"""Rebuild the PII tagger shipped in ``src/voxguard/privacy/pii/tagger/model/`` (deterministic).

    .venv/bin/pip install -e '.[pii-train]'      # Faker
    .venv/bin/python bench/train_pii_tagger.py  # ~10 min on 2 cores

Trains a linear-chain CRF (python-crfsuite, L-BFGS) on ``pii_corpus.training_corpus`` with the
rule recognizers' spans as features, then sets the probability threshold from the cost of a miss: a missed PII word is taken as
``MISS_COST`` times as costly as a bleeped ordinary word, so a word is bleeped when
P(PII) >= 1 / (1 + MISS_COST). The tuning split (``pii_corpus.tuning_corpus``: train locales and
templates, other values) only shows what that threshold gives; nothing here reads the held-out
splits. Same seed, same Faker version,
same data: same model bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import pii_corpus as corpus

ROOT = Path(__file__).resolve().parents[1]
# Recall first: a name or number a reviewer hears is a breach, a bleeped word costs a few words.
MISS_COST = 3.0
THRESHOLD = round(1 / (1 + MISS_COST), 4)
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 13))
# Share of identity features dropped at random in training: inside PII values (so names and
# streets are learned from their class and context, not memorised) and next to any word (so
# cue words are learned as cue classes, not as the words of the training templates).
VALUE_IDENTITY_DROPOUT = 0.5
CONTEXT_IDENTITY_DROPOUT = 0.3
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


def with_dropout(
    features: list[list[str]], labels: list[str], rng: random.Random
) -> list[list[str]]:
    from voxguard.privacy.pii.tagger.features import CONTEXT_IDENTITY_PREFIXES, IDENTITY_PREFIXES

    out = []
    for feats, label in zip(features, labels, strict=True):
        drop_value = label != "O" and rng.random() < VALUE_IDENTITY_DROPOUT
        drop_context = rng.random() < CONTEXT_IDENTITY_DROPOUT
        out.append(
            [
                f
                for f in feats
                if not (drop_value and f.startswith(IDENTITY_PREFIXES))
                and not (drop_context and f.startswith(CONTEXT_IDENTITY_PREFIXES))
            ]
        )
    return out


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


def threshold_table(
    utterances: list[corpus.Utterance], probs: list[list[dict[str, float]]]
) -> list[dict[str, object]]:
    table = []
    for t in sorted({*THRESHOLDS, THRESHOLD}):
        recall, precision = word_scores(utterances, probs, t)
        table.append({"threshold": t, "recall": recall, "precision": precision})
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-template", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--out-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    corpus.ensure_hash_seed()
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
    rng = random.Random(f"{args.seed}-dropout")
    for u, types in zip(train, train_types, strict=True):
        labels = u.labels()
        feats = sentence_features(u.words, detector.lexicon, types)
        trainer.append(with_dropout(feats, labels, rng), labels)
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
        "threshold": THRESHOLD,
        "labels": labels,
        "trained_with": {
            "script": "bench/train_pii_tagger.py",
            "seed": args.seed,
            "per_template": args.per_template,
            "faker": faker.VERSION,
            "crf_params": CRF_PARAMS,
            "value_identity_dropout": VALUE_IDENTITY_DROPOUT,
            "context_identity_dropout": CONTEXT_IDENTITY_DROPOUT,
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
    table = threshold_table(tune, probs)
    meta["tuning"] = {"utterances": len(tune), "miss_cost": MISS_COST, "table": table}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for row in table:
        recall = " ".join(f"{t[:5]}={r:.3f}" for t, r in sorted(row["recall"].items()))  # type: ignore[union-attr]
        print(f"  threshold {row['threshold']:.2f}: {recall} precision={row['precision']:.3f}")
    size = model_path.stat().st_size
    print(
        f"{model_path} ({size / 1e6:.1f} MB), threshold {THRESHOLD}, "
        f"{time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
