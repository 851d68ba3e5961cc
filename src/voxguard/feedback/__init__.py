"""Feedback: the curated set, exports with lineage, reports with charts, adaptation runs."""
