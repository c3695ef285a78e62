"""Background jobs: core functions run on a QThreadPool, their progress and outcome as Qt signals.

The shape follows TagStudio's ``qt/utils/function_iterator.py``: the core stays a plain function
that takes ``progress`` and ``cancel`` callbacks; the UI wraps it in a ``Job`` whose signals are
delivered on the GUI thread. ``describe_error`` is the one place a core error becomes user words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from nodule_desk.dicom.load import load_series
from nodule_desk.errors import (
    CancelledError,
    DicomFileError,
    NoduleDeskError,
    SeriesError,
    StoreError,
)
from nodule_desk.progress import CancelToken, Progress


class JobSignals(QObject):
    progress = Signal(int, int, str)
    """done, total, stage"""
    partial = Signal(object)
    """an early piece of the result (the first decoded slice of a series)"""
    finished = Signal(object)
    failed = Signal(object)
    """the exception; ``describe_error`` words it"""
    cancelled = Signal()


class Job(QRunnable):
    """Runs ``function(progress=..., cancel=..., **extra)`` off the GUI thread.

    ``function`` gets a progress callback taking ``Progress``, a ``CancelToken``, and, when
    ``wants_partial`` is set, an ``on_partial`` callback it may call with early results.
    """

    def __init__(self, function: Callable[..., Any], *, wants_partial: bool = False) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = JobSignals()
        self.cancel_token = CancelToken()
        self._function = function
        self._wants_partial = wants_partial

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def run(self) -> None:
        kwargs: dict[str, Any] = {"progress": self._report, "cancel": self.cancel_token}
        if self._wants_partial:
            kwargs["on_partial"] = self.signals.partial.emit
        try:
            result = self._function(**kwargs)
        except CancelledError:
            self.signals.cancelled.emit()
        except Exception as error:  # noqa: BLE001 - every failure reaches the user as a message
            if self.cancel_token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(error)
        else:
            if self.cancel_token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)

    def _report(self, progress: Progress) -> None:
        self.cancel_token.raise_if_cancelled()
        self.signals.progress.emit(progress.done, progress.total, progress.stage)


class JobRunner(QObject):
    """Keeps running jobs alive until they end, and starts them on one pool."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[Job] = set()

    def start(self, job: Job) -> Job:
        self._running.add(job)
        for signal in (job.signals.finished, job.signals.failed):
            signal.connect(lambda _value, job=job: self._running.discard(job))
        job.signals.cancelled.connect(lambda job=job: self._running.discard(job))
        self.pool.start(job)
        return job

    def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


def _fill(template: str, *values: str) -> str:
    for n, value in enumerate(values, start=1):
        template = template.replace(f"%{n}", value)
    return template


def describe_error(error: BaseException) -> str:
    """The message a user reads: what went wrong and with which file or series."""
    translate = QCoreApplication.translate
    if isinstance(error, DicomFileError):
        return _fill(translate("Jobs", "Cannot read file %1: %2"), str(error.path), error.reason)
    if isinstance(error, SeriesError):
        return _fill(translate("Jobs", "Series %1 cannot be opened: %2"), error.series_uid,
                     error.reason)
    if isinstance(error, StoreError):
        return _fill(translate("Jobs", "The local database cannot be used: %1"), str(error))
    if isinstance(error, NoduleDeskError):
        return str(error)
    if isinstance(error, OSError):
        return _fill(translate("Jobs", "File error: %1"), str(error))
    return _fill(translate("Jobs", "Unexpected error: %1"), f"{type(error).__name__}: {error}")


def load_series_job(files: list[Path], series_uid: str = "") -> Callable[..., Any]:
    """A job function that loads ``files`` as a CTVolume, sending the first slice early."""

    def run(progress: Any, cancel: CancelToken, on_partial: Callable[[Any], None]) -> Any:
        return load_series(files, progress=progress, cancel=cancel, on_first_slice=on_partial)

    return run
