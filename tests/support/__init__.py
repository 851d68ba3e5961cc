"""Helpers shared by test folders (real servers started by fixtures, test data builders)."""
