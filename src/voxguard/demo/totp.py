"""Print the current sign-in code for a TOTP secret, like an authenticator app would.

.venv/bin/python -m voxguard.demo.totp SECRET
"""

from __future__ import annotations

import sys

import pyotp


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m voxguard.demo.totp SECRET", file=sys.stderr)
        return 2
    print(pyotp.TOTP(argv[0]).now())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
