"""Password hashing (argon2id), the password rules, and one-time passwords for new accounts.

Parameters follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about 20 ms per
hash on a small server, so 200 reviewers signing in at shift start cost seconds, not minutes.
Hashes made with other parameters still verify, and are replaced at the next sign-in.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from voxguard.people.errors import WeakPassword

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # bounds the work one request can ask of the hasher

# No look-alike characters (0/o, 1/l/i): the one-time password is read off a terminal and typed.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_OTP_GROUPS, _OTP_GROUP_LEN = 4, 4  # 16 characters from 31: about 79 bits


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than ``HASHER``'s."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_verification(password: str) -> None:
    """Spend the time of a real check, so an unknown username answers as slowly as a known one."""
    verify_password(_dummy_hash(), password)


def check_new_password(new: str, *, old: str | None = None, username: str | None = None) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the new password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(new) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the new password must have at most {MAX_PASSWORD_LENGTH} characters")
    if not new.strip():
        raise WeakPassword("the new password must not be only spaces")
    if old is not None and new == old:
        raise WeakPassword("the new password must differ from the current one")
    if username and new.strip().lower() == username.strip().lower():
        raise WeakPassword("the new password must not be the username")


def generate_one_time_password() -> str:
    groups = (
        "".join(secrets.choice(_OTP_ALPHABET) for _ in range(_OTP_GROUP_LEN))
        for _ in range(_OTP_GROUPS)
    )
    return "-".join(groups)
