"""Exceptions raised by the vault. All derive from :class:`VaultError`."""


class VaultError(Exception):
    """Base class of every vault error."""


class MasterKeyError(VaultError):
    """The master key file is missing, unreadable, malformed or too widely readable.

    The message is meant for an operator: it names the file and says what to do.
    """


class KeyDestroyedError(VaultError):
    """The account's data key was destroyed (crypto-shredded); its blobs are gone for good."""


class BlobIntegrityError(VaultError):
    """Ciphertext failed authentication: wrong key, tampered, truncated or swapped."""


class KeyUnwrapError(BlobIntegrityError):
    """A wrapped data key could not be unwrapped (wrong master key, account or tampered)."""


class BlobNotFoundError(VaultError, KeyError):
    """No blob is stored under the requested key."""

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message; keep it readable.
        return str(self.args[0]) if self.args else "blob not found"


class InvalidBlobKeyError(VaultError, ValueError):
    """A blob key or prefix is malformed (empty, absolute, contains '..', ...)."""


class BlobStoreError(VaultError):
    """The storage backend failed (unreachable, access denied, missing bucket, ...)."""
