"""Privacy transforms: pseudonyms, spoken-form PII detection, audio redaction and
voice anonymization."""
