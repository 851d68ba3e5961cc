"""Aggregating refusals, so a flood of bad requests cannot flood the append-only audit log.

Per (client, action), the first refusal of each window is audited at once, carrying how many
refusals of that client and action there were since the last audited one (this one included);
the rest are only counted, in this process. A client hammering away leaves one audit row per
window, with a count, instead of one row per request. Callers ask ``note`` first and open a
write transaction only when it returns a count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RefusalTally:
    def __init__(
        self,
        window_s: float,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self._max_clients = max_clients  # bounded memory whatever the number of clients
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (window start, refusals since the last audited one)
        self._open: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()

    def note(self, client: str, action: str) -> int | None:
        """Count one refusal; the number to audit now (this one included), or None."""
        key, now = (client, action), self._clock()
        with self._lock:
            started, pending = self._open.pop(key, (-float("inf"), 0))
            pending += 1
            if now - started >= self.window_s:
                self._remember(key, (now, 0))
                return pending
            self._remember(key, (started, pending))
            return None

    def _remember(self, key: tuple[str, str], value: tuple[float, int]) -> None:
        self._open[key] = value
        while len(self._open) > self._max_clients:
            self._open.popitem(last=False)
