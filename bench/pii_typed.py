"""How often the check of what reviewers type raises a false alarm on a faithful transcript.

    VOXGUARD_SHARED_DATA=../shared/data .venv/bin/python bench/pii_typed.py [--split heldout]

A reviewer who writes exactly what the redacted draft says, tags included, has heard nothing the
bleeps missed; the check (``privacy/pii/typed.py``) should find nothing new there. Each
utterance of the split is redacted as the draft is, then checked as typed text: the share where
the check still finds PII is the share of such clips it would send to the privacy officer. In
requests without PII (Snips) every such find is a false alarm; in records full of PII (the
Faker sources, WNUT) it is mostly a word the draft left beside a tag that the check reads as
the rest of the value. (What it catches when a name was typed out is the detector's own recall:
bench/pii_data.py.)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pii_corpus import ensure_hash_seed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="heldout", choices=["heldout", "dev", "blind-look"])
    args = ap.parse_args(argv)
    ensure_hash_seed()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import pii_data
    from voxguard.privacy.pii import get_detector
    from voxguard.privacy.pii.typed import redact_typed

    detector = get_detector()
    seen: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for example in pii_data.build_eval_set(split=args.split):
        draft = detector.redact(example.text)[0]
        seen[example.source] += 1
        alarms[example.source] += bool(redact_typed(draft, detector).found)
    print(f"split={args.split}: a faithful transcript of the redacted draft, checked as typed")
    print(f"{'source':<22}{'utterances':>11}{'found again':>14}")
    for source in sorted(seen):
        share = alarms[source] / seen[source]
        print(f"{source:<22}{seen[source]:>11}{alarms[source]:>8} ({share:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
