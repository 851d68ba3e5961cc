"""Vault tests use the real SeaweedFS fixtures ``seaweedfs_server`` and ``s3_bucket``.

They come from ``tests/support/seaweedfs.py``, registered for the whole suite by
``pytest_plugins = ["tests.support.seaweedfs"]`` in ``tests/conftest.py``; nothing to add here
(importing them again would only shadow the same fixtures).
"""
