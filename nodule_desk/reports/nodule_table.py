"""The report's table of nodules as text cells: one source for the PDF and the on-screen preview."""

from __future__ import annotations

from nodule_desk.reports.model import ReportedNodule, VisitReport
from nodule_desk.reports.pdf_text import TEXT, density_label

COLUMNS = (
    "col_label",
    "col_lobe",
    "col_type",
    "col_axes",
    "col_mean",
    "col_volume",
    "col_solid",
    "col_change",
    "col_category",
)


def fmt_mm(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def change_since_prior(nodule: ReportedNodule, report: VisitReport) -> str:
    """ "—" on a baseline exam, "new" for a nodule without a prior, else the diameter change and
    the volume doubling time."""
    text = TEXT[report.language]
    if report.prior_study_date is None:
        return "—"
    if nodule.prior_mean_diameter_mm is None or nodule.mean_diameter_mm is None:
        return text["new"] if nodule.prior_mean_diameter_mm is None else "—"
    parts = [f"{nodule.mean_diameter_mm - nodule.prior_mean_diameter_mm:+.1f} mm"]
    if nodule.volume_doubling_time_days is not None:
        parts.append(f"VDT {nodule.volume_doubling_time_days:.0f} {text['days']}")
    return ", ".join(parts)


def nodule_table(report: VisitReport) -> tuple[list[str], list[list[str]]]:
    """Headings in the report's language, and one row of cells per nodule."""
    text = TEXT[report.language]
    rows = [
        [
            nodule.label,
            text.get(f"lobe_{nodule.lobe}", nodule.lobe) if nodule.lobe else "—",
            density_label(nodule.density_type, report.language),
            f"{fmt_mm(nodule.long_axis_mm)} × {fmt_mm(nodule.short_axis_mm)}",
            fmt_mm(nodule.mean_diameter_mm),
            fmt_mm(nodule.volume_mm3, 0),
            fmt_mm(nodule.solid_component_mean_diameter_mm),
            change_since_prior(nodule, report),
            nodule.lung_rads_category or "—",
        ]
        for nodule in report.nodules
    ]
    return [text[column] for column in COLUMNS], rows
