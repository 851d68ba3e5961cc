"""Vault: envelope encryption and blob storage for audio.

Every account has a random 256-bit data key, stored only wrapped (AES-256-GCM) by the
installation's master key. Each blob is encrypted under a key derived with HKDF from the
account's data key and the blob id, with account id and blob id bound as associated data, so a
blob cannot be decrypted under another record. Destroying an account's data key
(crypto-shredding) turns every copy of its blobs into noise: blob store, backups, old S3 versions.

Pieces:

- ``voxguard.vault.crypto``: data keys, key wrapping, blob encryption, the master key file.
- ``voxguard.vault.stores``: the ``BlobStore`` interface, a local-directory store, an
  S3-compatible store and ``open_blob_store(url)``. Stores only ever receive ciphertext.
- ``voxguard.vault.errors``: the exceptions callers map to HTTP statuses / exit codes.
"""
