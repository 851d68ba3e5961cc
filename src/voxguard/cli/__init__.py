"""Typer commands over the same services the web layer uses."""
