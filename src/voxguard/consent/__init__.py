"""Consent records (versioned), accounts, and the gate every upload passes."""
