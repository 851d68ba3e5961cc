"""Per-client throttling before work, with the ``limits`` library (moving windows).

- sign-in: every attempt counts against the client (``sign_in_rate_per_client``), and each
  failed attempt against the pair (account, client) (``sign_in_failures_per_account_client``).
  A client that guesses at one account is refused (429) before any password is hashed, while
  the account's owner, signing in from elsewhere, is not: guessing cannot lock a reviewer out
  (NIST SP 800-63B 5.2.2); the account's own count only locks after 100 failures in a row.
- ingest: each refused upload counts against the client (``ingest_refusals_per_client``); past
  it, the client's uploads are refused before the token is even looked up.

Counts live in ``throttle_storage_url``: ``memory://`` (per process, the default) or a shared
store such as ``redis://127.0.0.1:6379`` when several web processes serve one site.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from voxguard.config import Settings


class Throttled(Exception):
    """Too many attempts from this client: answered 429 with Retry-After."""

    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class Throttle:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.throttle_storage_url))
        self._sign_in = parse(settings.sign_in_rate_per_client)
        self._sign_in_failures = parse(settings.sign_in_failures_per_account_client)
        self._ingest_refusals = parse(settings.ingest_refusals_per_client)

    def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        reset = self._limiter.get_window_stats(item, *keys).reset_time
        return max(1, math.ceil(reset - time.time()))

    def check_sign_in(self, client: str, username: str) -> None:
        """Count an attempt; raise Throttled when the client or the (account, client) pair is
        over its limit. Call before any password is checked."""
        name = username.strip().lower()
        if not self._limiter.test(self._sign_in_failures, "sign-in-failures", name, client):
            raise Throttled(
                "too many failed sign-ins to this account from your address: wait and retry",
                self._retry_after(self._sign_in_failures, "sign-in-failures", name, client),
            )
        if not self._limiter.hit(self._sign_in, "sign-in", client):
            raise Throttled(
                "too many sign-in attempts from your address: wait and retry",
                self._retry_after(self._sign_in, "sign-in", client),
            )

    def sign_in_failed(self, client: str, username: str) -> None:
        self._limiter.hit(
            self._sign_in_failures, "sign-in-failures", username.strip().lower(), client
        )

    def check_ingest(self, client: str) -> None:
        if not self._limiter.test(self._ingest_refusals, "ingest-refusals", client):
            raise Throttled(
                "too many refused uploads from your address: fix the requests, then retry",
                self._retry_after(self._ingest_refusals, "ingest-refusals", client),
            )

    def ingest_refused(self, client: str) -> None:
        self._limiter.hit(self._ingest_refusals, "ingest-refusals", client)
