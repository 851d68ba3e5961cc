"""Who gets reviewed: a reproducible, recorded decision per utterance."""
