"""People who sign in: users, passwords + TOTP, sessions, role policies."""
