"""The open series' lungs, found once in the background, and each nodule's lung and zone.

The panel shows the lobe the zone suggests where the radiologist has not set one, so the lobe is
never a bare "—"; it stays a suggestion until the radiologist applies it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from nodule_desk.imaging.lung_zone import LungMask, LungZone, lung_mask, lung_zone
from nodule_desk.store import Measurement
from nodule_desk.volume import CTVolume
from ui.jobs import Job, JobRunner


class LungZones(QObject):
    ready = Signal()

    def __init__(self, jobs: JobRunner | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.volume: CTVolume | None = None
        self.mask: LungMask | None = None
        self._zones: dict[int, LungZone | None] = {}

    def set_volume(self, volume: CTVolume | None) -> None:
        if volume is self.volume:
            return
        self.volume, self.mask, self._zones = volume, None, {}
        if volume is None or self.jobs is None:
            return
        job = Job(lambda progress, cancel: lung_mask(volume))
        job.signals.finished.connect(lambda mask, volume=volume: self._found(volume, mask))
        self.jobs.start(job)

    def _found(self, volume: CTVolume, mask: LungMask) -> None:
        if volume is self.volume:
            self.mask = mask
            self.ready.emit()

    def zone_of(self, measurement: Measurement) -> LungZone | None:
        if self.mask is None or self.volume is None:
            return None
        if measurement.id not in self._zones:
            self._zones[measurement.id] = lung_zone(
                self.volume, measurement.center_lps_mm, self.mask
            )
        return self._zones[measurement.id]
