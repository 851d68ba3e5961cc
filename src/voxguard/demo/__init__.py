"""The demo: synthesised speakers and commands, ingested through the real HTTP API."""
