"""Progress and cancellation for long core jobs, with no dependency on any UI toolkit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from nodule_desk.errors import CancelledError


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    stage: str


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Set from any thread; the job checks it between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError("cancelled by the user")
