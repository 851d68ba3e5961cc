"""How many clips must humans hear? Learning curves of the adapted models, random vs active.

SLURP devel (real requests to an assistant, with intents) is spoken by espeak-ng in several
voices (the `espeakng-loader` library the demo uses): one voice and speaking rate per simulated
account. Accounts fall into train / dev / test by the product's own rule
(``voxguard.feedback.curated.split_of``), so no speaker is in two splits. The device's ASR is the
baseline engine (stock Whisper tiny.en); its text and confidence are what a device would upload.

Reviewers "hear" n clips of the training accounts, chosen two ways:
- random: a seeded random order;
- active: the product's low-confidence-first rule (lowest device confidence first).
From those n settled transcripts and intents the product's own adaptation code builds a
pocketsphinx trigram language model (``feedback.adapt.build_language_model``) and trains the
intent classifier (``feedback.adapt.train_intent_model``). Both are measured on the held-out test
accounts only (never looked at while building): pocketsphinx WER on the test audio, and intent
accuracy of the classifier reading the device's transcript. Baselines: stock pocketsphinx (the
un-adapted engine), the device's own WER, and the most frequent intent (no reviewed clip).

Whisper's adaptation is chosen the way ``voxguard adapt asr`` chooses it: the domain vocabulary
of all pool clips as ``hotwords``, as an ``initial_prompt``, or neither, whichever has the lowest
WER on clips of the dev accounts (the tuning split); the choice is then measured on the test
accounts beside stock Whisper.

Headline: clips heard to reach 80 % of the gain that all training clips give, random vs active;
fewer clips heard is a privacy win.

Run: ``.venv/bin/python bench/feedback_eval.py [--quick] [--workers 2]`` (the default size,
600 pool clips and 100 held-out ones, takes about 15-20 minutes on a loaded 2-core machine). Writes
bench/results/feedback_eval-<timestamp>.json and .png. Needs ../shared/data/slurp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "src"))
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"

from pii_data import shared_data_dir  # noqa: E402
from voxguard.demo.speech import DEMO_VOICES  # noqa: E402
from voxguard.feedback.curated import split_of  # noqa: E402

TARGET_SHARE = 0.8  # the headline: clips heard to reach 80 % of the all-clips gain


@dataclass(frozen=True)
class Utterance:
    id: str
    account: str
    split: str
    text: str
    intent: str
    voice: str
    rate: int


def load_slurp(accounts: int) -> list[Utterance]:
    path = shared_data_dir() / "slurp" / "devel.jsonl"
    if not path.exists():
        raise SystemExit(f"SLURP devel not found at {path} (set VOXGUARD_SHARED_DATA)")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    out = []
    for row in rows:
        slot = int(hashlib.sha256(f"acct:{row['slurp_id']}".encode()).hexdigest(), 16) % accounts
        account = hashlib.sha256(f"bench-account-{slot}".encode()).hexdigest()[:32]
        out.append(
            Utterance(
                id=str(row["slurp_id"]),
                account=account,
                split=split_of(account),
                text=row["sentence"],
                intent=row["intent"],
                voice=DEMO_VOICES[slot % len(DEMO_VOICES)],
                rate=140 + (slot * 7) % 50,
            )
        )
    return out


# ----------------------------------------------------------------------------- workers

_WORKER: dict[str, Any] = {}


def _init_worker(threads: int) -> None:
    _WORKER["threads"] = threads  # CTranslate2 threads per decoding process


def _speak(u: Utterance) -> np.ndarray:
    from voxguard.audio import to_target_rate
    from voxguard.demo.speech import synthesize

    samples, rate = synthesize(u.text, u.voice, u.rate)
    return to_target_rate(samples, rate)


def device_pass(job: tuple[Utterance, bool]) -> tuple[str, str, float, np.ndarray | None]:
    """Synthesize, then the device's ASR (stock Whisper): (id, text, confidence, audio?)."""
    from voxguard.asr import get_engine
    from voxguard.asr.normalize import normalize_text

    u, keep_audio = job
    audio = _speak(u)
    engine = get_engine("whisper", cpu_threads=_WORKER.get("threads"))
    segments, _ = engine._model.transcribe(  # the device needs text and confidence only
        audio, language="en", beam_size=1, condition_on_previous_text=False, vad_filter=False,
        word_timestamps=False,
    )  # fmt: skip
    segments = list(segments)
    text = normalize_text(" ".join(s.text for s in segments))
    confidence = math.exp(np.mean([s.avg_logprob for s in segments])) if segments else 0.0
    return u.id, text, float(confidence), audio if keep_audio else None


def engine_pass(job: tuple[str, str | dict[str, str] | None, str, np.ndarray]) -> tuple[str, str]:
    """The product's engine on one clip: stock, with the adapted model in a directory, or with
    Whisper options (``{"hotwords": ..., "initial_prompt": ...}``)."""
    from voxguard.asr import get_engine
    from voxguard.asr.adaptation import AsrAdaptation, load_adaptation

    name, model, clip_id, audio = job
    if isinstance(model, dict):
        adaptation = AsrAdaptation(id="candidate", directory=Path("."), **model)
    else:
        adaptation = load_adaptation(Path(model)) if model else None
    threads = _WORKER.get("threads") if name == "whisper" else None
    engine = get_engine(name, cpu_threads=threads, adaptation=adaptation)
    return clip_id, engine.transcribe(audio, 16_000).text


# ----------------------------------------------------------------------------- models


def build_asr_model(texts: list[str], directory: Path, name: str) -> str:
    from voxguard.feedback.adapt import build_language_model, lm_words, missing_pronunciations

    folder = directory / name
    folder.mkdir(parents=True)
    sentences = [lm_words(t) for t in texts]
    build_language_model(sentences, folder / "lm.arpa")
    words = {w for s in sentences for w in s}
    manifest = {
        "id": name,
        "kind": "asr",
        "pocketsphinx": {"lm": "lm.arpa", "words": missing_pronunciations(words)},
        "whisper": {"hotwords": "", "initial_prompt": ""},  # Whisper is measured on its own
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return str(folder)


def corpus_wer(
    refs: dict[str, str], hyps: dict[str, str], accounts: dict[str, str]
) -> dict[str, float]:
    from voxguard.feedback.metrics import edits, ratio_estimate

    ids = sorted(refs)
    counts = [edits(refs[i], hyps.get(i, "")) for i in ids]
    est = ratio_estimate(
        [c.words for c in counts], [c.ref_words for c in counts], [accounts[i] for i in ids]
    )
    return {"value": est.value, "low": est.low, "high": est.high}


def intent_accuracy(
    truth: list[str], predicted: list[str], clusters: list[str]
) -> dict[str, float]:
    from voxguard.feedback.metrics import intent_scores

    accuracy, macro_f1 = intent_scores(truth, predicted, clusters)
    return {
        "value": accuracy.value,
        "low": accuracy.low,
        "high": accuracy.high,
        "macro_f1": macro_f1.value,
    }


def clips_to_reach(
    curve: list[tuple[int, float]], baseline: float, full: float, lower_is_better: bool
) -> int | None:
    """The fewest clips on the grid whose figure reaches TARGET_SHARE of the all-clips gain
    (None when all the clips give no gain over the baseline)."""
    if (full >= baseline) if lower_is_better else (full <= baseline):
        return None
    target = baseline + TARGET_SHARE * (full - baseline)
    for n, value in curve:
        if (value <= target) if lower_is_better else (value >= target):
            return n
    return None


# ----------------------------------------------------------------------------- run


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--chart":  # redraw a run's chart from its JSON
        result_json = Path(sys.argv[2])
        _chart(json.loads(result_json.read_text()), result_json.with_suffix(".png"))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (a few minutes)")
    parser.add_argument("--workers", type=int, default=2, help="decoding processes")
    parser.add_argument("--accounts", type=int, default=200, help="simulated accounts")
    parser.add_argument("--pool", type=int, help="training clips reviewers may hear")
    parser.add_argument("--test", type=int, help="held-out clips measured")
    parser.add_argument("--tuning", type=int, help="dev-account clips Whisper's choice is made on")
    parser.add_argument(
        "--grid", help="clips heard at each point, e.g. 20,40,80 (the pool is added)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pool_size = args.pool or (160 if args.quick else 600)
    test_size = args.test or (30 if args.quick else 100)
    tuning_size = args.tuning or (20 if args.quick else 40)
    grid = [20, 40, 80, 160] if args.quick else [25, 50, 100, 200, 400, 600]
    if args.grid:
        grid = [int(n) for n in args.grid.split(",")]
    grid = sorted({n for n in grid if n < pool_size} | {pool_size})
    started = time.time()

    every = load_slurp(args.accounts)
    rng = random.Random(args.seed)
    train_all = [u for u in every if u.split == "train"]
    test_all = [u for u in every if u.split == "test"]
    dev_all = [u for u in every if u.split == "dev"]
    pool = rng.sample(train_all, min(pool_size, len(train_all)))
    test = rng.sample(test_all, min(test_size, len(test_all)))
    tuning = rng.sample(dev_all, min(tuning_size, len(dev_all)))
    pool_accounts = {u.account for u in pool}
    test_accounts = {u.account for u in test}
    assert not pool_accounts & test_accounts, "a speaker in two splits"
    print(
        f"SLURP devel: {len(every)} utterances over {args.accounts} accounts; pool {len(pool)} "
        f"clips of {len(pool_accounts)} train accounts, held out {len(test)} clips of "
        f"{len(test_accounts)} test accounts; voices {', '.join(DEMO_VOICES)}",
        flush=True,
    )

    threads = max(1, (os.cpu_count() or 2) // max(1, args.workers))
    with ProcessPoolExecutor(args.workers, initializer=_init_worker, initargs=(threads,)) as ex:
        device: dict[str, tuple[str, float]] = {}
        audio: dict[str, np.ndarray] = {}
        jobs = [(u, False) for u in pool] + [(u, True) for u in test + tuning]
        for done, (clip_id, text, conf, samples) in enumerate(ex.map(device_pass, jobs), 1):
            device[clip_id] = (text, conf)
            if samples is not None:
                audio[clip_id] = samples
            if done % 50 == 0:
                print(
                    f"  device ASR {done}/{len(jobs)} ({time.time() - started:.0f} s)",
                    flush=True,
                )
        refs = {u.id: u.text for u in test}
        accounts = {u.id: u.account for u in test}
        device_wer = corpus_wer(refs, {i: device[i][0] for i in refs}, accounts)
        stock = dict(ex.map(engine_pass, [("pocketsphinx", None, i, audio[i]) for i in refs]))
        stock_wer = corpus_wer(refs, stock, accounts)
        print(
            f"  baselines: device (Whisper) WER {device_wer['value']:.1%}, stock pocketsphinx {stock_wer['value']:.1%} ({time.time() - started:.0f} s)",
            flush=True,
        )

        orders = {
            "random": rng.sample(pool, len(pool)),
            "active (low confidence first)": sorted(pool, key=lambda u: (device[u.id][1], u.id)),
        }
        from voxguard.feedback.adapt import train_intent_model

        truth = [u.intent for u in test]
        heard = [device[u.id][0] for u in test]
        clusters = [u.account for u in test]
        majority = Counter(u.intent for u in pool).most_common(1)[0][0]
        majority_acc = intent_accuracy(truth, [majority] * len(truth), clusters)
        curves: dict[str, dict[str, list[dict[str, Any]]]] = {}
        with tempfile.TemporaryDirectory() as scratch:
            for strategy, order in orders.items():
                curves[strategy] = {"wer": [], "intent": []}
                for n in grid:
                    chosen = order[:n]
                    folder = build_asr_model(
                        [u.text for u in chosen], Path(scratch), f"{strategy[:6]}-{n}"
                    )
                    hyps = dict(
                        ex.map(engine_pass, [("pocketsphinx", folder, i, audio[i]) for i in refs])
                    )
                    wer = corpus_wer(refs, hyps, accounts)
                    model, _ = train_intent_model([(u.text, u.intent) for u in chosen], [])
                    from voxguard.review.text import normalise

                    accuracy = intent_accuracy(
                        truth,
                        [str(p) for p in model.predict([normalise(t) for t in heard])],
                        clusters,
                    )
                    curves[strategy]["wer"].append({"clips": n, **wer})
                    curves[strategy]["intent"].append({"clips": n, **accuracy})
                    print(
                        f"  {strategy:<30} n={n:>4}: pocketsphinx WER {wer['value']:.1%} [{wer['low']:.1%}–{wer['high']:.1%}], intent accuracy {accuracy['value']:.1%} ({time.time() - started:.0f} s)",
                        flush=True,
                    )
            # Whisper: the product's choice (hotwords, initial prompt or neither) on the tuning
            # (dev) accounts, then stock and the choice on the held-out test accounts.
            from voxguard.feedback.adapt import domain_hotwords, domain_prompt, lm_words

            counts = Counter(w for u in pool for w in lm_words(u.text))
            candidates = {
                "none": None,
                "hotwords": {"hotwords": domain_hotwords(counts), "initial_prompt": ""},
                "initial_prompt": {"hotwords": "", "initial_prompt": domain_prompt(counts)},
            }
            tune_refs = {u.id: u.text for u in tuning}
            tune_accounts = {u.id: u.account for u in tuning}

            def whisper_wer(
                model: dict[str, str] | None, ids: dict[str, str], owners: dict[str, str]
            ) -> dict[str, float]:
                jobs = [("whisper", model, i, audio[i]) for i in ids]
                return corpus_wer(ids, dict(ex.map(engine_pass, jobs)), owners)

            tuning_wer = {
                name: whisper_wer(model, tune_refs, tune_accounts)
                for name, model in candidates.items()
            }
            chosen = min(tuning_wer, key=lambda n: (tuning_wer[n]["value"], n != "none"))
            whisper = {
                "tuning": tuning_wer,
                "chosen": chosen,
                "test": {
                    "stock": whisper_wer(None, refs, accounts),
                    **(
                        {chosen: whisper_wer(candidates[chosen], refs, accounts)}
                        if chosen != "none"
                        else {}
                    ),
                },
            }
            print(
                "  whisper WER on the tuning (dev) accounts: "
                + ", ".join(f"{n} {w['value']:.1%}" for n, w in tuning_wer.items())
                + f"; chosen: {chosen}; held out: "
                + ", ".join(f"{n} {w['value']:.1%}" for n, w in whisper["test"].items())
                + f" ({time.time() - started:.0f} s)",
                flush=True,
            )

    full_wer = curves["random"]["wer"][-1]["value"]
    full_acc = curves["random"]["intent"][-1]["value"]
    headline = {
        strategy: {
            "asr": clips_to_reach(
                [(p["clips"], p["value"]) for p in c["wer"]], stock_wer["value"], full_wer, True
            ),
            "intent": clips_to_reach(
                [(p["clips"], p["value"]) for p in c["intent"]],
                majority_acc["value"],
                full_acc,
                False,
            ),
        }
        for strategy, c in curves.items()
    }
    seconds = time.time() - started
    print()
    print(
        f"Measured on {len(test)} held-out clips of {len(test_accounts)} test accounts (never used to build a model); 95 % intervals over accounts."
    )
    print(f"{'clips heard':>12} | " + " | ".join(f"{s[:22]:>22} WER  acc" for s in curves))
    for index, n in enumerate(grid):
        cells = [
            f"{c['wer'][index]['value']:>22.1%} {c['intent'][index]['value']:>4.0%}"
            for c in curves.values()
        ]
        print(f"{n:>12} | " + " | ".join(cells))
    print(
        f"{'baseline':>12} | stock pocketsphinx WER {stock_wer['value']:.1%}, device Whisper WER {device_wer['value']:.1%}, most-frequent-intent accuracy {majority_acc['value']:.1%}"
    )
    print()
    print(f"Headline: clips heard to reach {TARGET_SHARE:.0%} of the all-{pool_size}-clips gain")
    for strategy, reach in headline.items():
        print(
            f"  {strategy:<30} ASR: {reach['asr'] or 'never (no gain over the baseline)'}   intents: {reach['intent'] or 'never (no gain over the baseline)'}"
        )
    print(f"({seconds:.0f} s, {args.workers} workers)")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {
        "measured_on": f"{len(test)} held-out clips of {len(test_accounts)} test accounts",
        "tuning": f"{len(tuning)} clips of {len({u.account for u in tuning})} dev accounts",
        "pool": len(pool), "grid": grid, "quick": args.quick, "seconds": round(seconds, 1),
        "baselines": {"stock_pocketsphinx_wer": stock_wer, "device_whisper_wer": device_wer, "most_frequent_intent": majority_acc},
        "curves": curves, "headline": headline, "whisper": whisper, "target_share": TARGET_SHARE,
    }  # fmt: skip
    (RESULTS_DIR / f"feedback_eval-{stamp}.json").write_text(json.dumps(result, indent=2))
    _chart(result, RESULTS_DIR / f"feedback_eval-{stamp}.png")
    print(f"wrote bench/results/feedback_eval-{stamp}.json and .png")
    return 0


def _chart(result: dict[str, Any], path: Path) -> None:
    from voxguard.feedback.charts import draw_lines, new_figure, png_of

    fig = new_figure(11.5, 4.2)
    wer_ax, intent_ax = fig.subplots(1, 2)
    base = result["baselines"]
    draw_lines(
        wer_ax,
        {s: [(p["clips"], p["value"]) for p in c["wer"]] for s, c in result["curves"].items()},
        title="pocketsphinx WER on held-out accounts (lower is better)",
        x_label="clips reviewers heard",
        y_label="word error rate",
        baselines={
            "un-adapted pocketsphinx": base["stock_pocketsphinx_wer"]["value"],
            "device (Whisper tiny.en)": base["device_whisper_wer"]["value"],
        },
    )
    draw_lines(
        intent_ax,
        {s: [(p["clips"], p["value"]) for p in c["intent"]] for s, c in result["curves"].items()},
        title="Intent accuracy on held-out accounts (higher is better)",
        x_label="clips reviewers heard",
        y_label="accuracy",
        baselines={
            "no reviewed clip (most frequent intent)": base["most_frequent_intent"]["value"]
        },
    )
    for ax in (wer_ax, intent_ax):
        ax.set_xscale("log")
        ax.minorticks_off()  # the log axis' own minor labels collide with the grid's
        ax.set_xticks(result["grid"], [str(n) for n in result["grid"]])
    path.write_bytes(png_of(fig))


if __name__ == "__main__":
    raise SystemExit(main())
