"""How bearer secrets are kept: device and service tokens, self-service links, session cookies.

Only a SHA-256 digest is stored and looked up. A fast hash is enough: each secret is 256 random
bits, not a password a person chose, so there is nothing to guess at.
"""

import hashlib


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


__all__ = ["token_digest"]
