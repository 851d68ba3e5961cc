"""The names of the work queues and job kinds: one home, below every part that uses them.

Ingest enqueues machine jobs, processing runs them and creates review tasks, review leases
those; each imports the names from here instead of from one another.
"""

from __future__ import annotations

# Machine jobs, run by `voxguard worker` (and the worker embedded in `voxguard serve`).
JOBS_QUEUE = "jobs"
PREPARE_REVIEW_COPY = "prepare_review_copy"
# The periodic retention sweep (voxguard.consent.retention), scheduled by every worker.
RETENTION_SWEEP = "retention_sweep"

# Human review tasks, leased by reviewers in the workbench.
REVIEW_QUEUE = "review"
REVIEW_TASK = "review"
# Gold clips mixed into reviewers' queues to measure them.
GOLD_QUEUE = "gold"
GOLD_TASK = "gold"
