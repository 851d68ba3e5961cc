"""Accepting utterances from devices: authentication, metadata and audio validation, storage."""
