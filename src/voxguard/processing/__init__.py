"""The privacy pipeline run by machine workers: from an original recording to a review copy."""
