"""Typed settings: the one place configuration is read."""

from voxguard.config.settings import (
    Settings,
    config_file_text,
    get_settings,
    reset_settings_cache,
    settings_source,
)

__all__ = [
    "Settings",
    "config_file_text",
    "get_settings",
    "reset_settings_cache",
    "settings_source",
]
