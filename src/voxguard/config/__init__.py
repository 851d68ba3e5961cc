"""Typed settings: the one place configuration is read."""

from voxguard.config.settings import Settings, get_settings, reset_settings_cache

__all__ = ["Settings", "get_settings", "reset_settings_cache"]
