"""voxguard: privacy-first human review of voice-assistant recordings."""

__version__ = "0.1.0"
