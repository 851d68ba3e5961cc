"""TOTP (RFC 6238) second factor: secrets sealed at rest, codes checked with ±1 step of drift.

A code is accepted once: the caller stores the accepted time step (``User.last_totp_step``) and
passes it back, and only later steps are accepted from then on. The secret is sealed with
AES-256-GCM under a key derived from the master key, bound to the user's id so a sealed secret
copied onto another user's row does not open.
"""

from __future__ import annotations

import hmac
import os
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ISSUER = "voxguard"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # codes of the previous and next step are accepted too (clock skew, slow typing)
VAULT_PURPOSE = "totp"  # Vault.derived_secret(VAULT_PURPOSE) is the sealing key

_SEAL_VERSION = b"\x01"
_NONCE_BYTES = 12


class TotpSecretUnreadable(Exception):
    """The sealed secret does not open: the master key changed or the row was tampered with."""


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def _aad(user_id: str) -> bytes:
    return b"voxguard totp v1|" + user_id.encode()


def seal_secret(key: bytes, secret: str, user_id: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _SEAL_VERSION + nonce + AESGCM(key).encrypt(nonce, secret.encode(), _aad(user_id))


def open_secret(key: bytes, sealed: bytes, user_id: str) -> str:
    if sealed[:1] != _SEAL_VERSION or len(sealed) <= 1 + _NONCE_BYTES:
        raise TotpSecretUnreadable(f"user {user_id}: sealed TOTP secret has an unknown format")
    nonce, ciphertext = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _aad(user_id)).decode()
    except InvalidTag as exc:
        raise TotpSecretUnreadable(
            f"user {user_id}: TOTP secret does not open (master key changed or row edited); "
            "issue new credentials with `voxguard users reset`"
        ) from exc


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS, issuer=ISSUER)


def provisioning_uri(secret: str, account_name: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (usually from a QR code)."""
    return _totp(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def step_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).at(step * STEP_SECONDS)


def normalise_code(code: str) -> str | None:
    """Digits only (authenticator apps often show "123 456"); None if it cannot be a code."""
    digits = "".join(code.split())
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def matching_steps(secret: str, code: str, at: datetime, drift: int = DRIFT_STEPS) -> list[int]:
    """The time steps within ``drift`` of ``at`` whose code equals ``code`` (usually 0 or 1)."""
    digits = normalise_code(code)
    if digits is None:
        return []
    now_step = step_at(at)
    return [
        step
        for step in range(now_step - drift, now_step + drift + 1)
        if hmac.compare_digest(code_at_step(secret, step), digits)
    ]
