"""A solid nodule at the edge of a Lung-RADS size band: the band by mean diameter and by volume.

Lung-RADS v2022 gives each solid-nodule size threshold both as a mean diameter and as a volume:
< 6 mm (< 113 mm³), 6 to < 8 mm (113 to < 268 mm³), 8 to < 15 mm (268 to < 1767 mm³),
>= 15 mm (>= 1767 mm³). Near a threshold the two can fall in different bands (a 7.9 mm nodule of
270 mm³). NoduleDesk categorises by the mean diameter, as the guideline engine does; the report
says so whenever the volume would have put the nodule in another band.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodule_desk.reports.model import VisitReport
from nodule_desk.reports.pdf_text import TEXT

SOLID_BANDS = ((6.0, 113.0, "2"), (8.0, 268.0, "3"), (15.0, 1767.0, "4A"))
ABOVE = "4B"


@dataclass(frozen=True)
class SizeBands:
    by_diameter: str
    by_volume: str

    @property
    def differ(self) -> bool:
        return self.by_diameter != self.by_volume


def _band(value: float, index: int) -> str:
    for row in SOLID_BANDS:
        if value < row[index]:
            return row[2]
    return ABOVE


def solid_size_bands(
    density_type: str | None, mean_diameter_mm: float | None, volume_mm3: float | None
) -> SizeBands | None:
    """Baseline solid-nodule size bands (the category each size alone gives); None when either
    measure is missing or the nodule is not solid."""
    if density_type != "solid" or mean_diameter_mm is None or volume_mm3 is None:
        return None
    return SizeBands(_band(mean_diameter_mm, 0), _band(volume_mm3, 1))


def size_notes(report: VisitReport) -> list[str]:
    """One sentence per nodule whose diameter and volume fall in different bands."""
    text = TEXT[report.language]["size_note"]
    notes = []
    for nodule in report.nodules:
        bands = solid_size_bands(nodule.density_type, nodule.mean_diameter_mm, nodule.volume_mm3)
        if bands is not None and bands.differ:
            notes.append(
                text.format(
                    label=nodule.label,
                    diameter=f"{nodule.mean_diameter_mm:.1f}",
                    volume=f"{nodule.volume_mm3:.0f}",
                    by_diameter=bands.by_diameter,
                    by_volume=bands.by_volume,
                )
            )
    return notes
