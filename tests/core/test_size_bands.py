"""Lung-RADS v2022 solid-nodule thresholds, by mean diameter and by volume."""

from __future__ import annotations

from nodule_desk.reports.size_bands import solid_size_bands


def test_a_nodule_at_the_edge_of_a_band_differs_by_volume():
    # v2022: category 3 is "6 to < 8 mm (113 to < 268 mm3)", 4A "8 to < 15 mm (268 to < 1767 mm3)"
    edge = solid_size_bands("solid", 7.9, 270.0)
    assert (edge.by_diameter, edge.by_volume, edge.differ) == ("3", "4A", True)
    inside = solid_size_bands("solid", 7.0, 180.0)
    assert (inside.by_diameter, inside.by_volume, inside.differ) == ("3", "3", False)
    assert solid_size_bands("solid", 15.0, 1767.0).by_volume == "4B"
    assert solid_size_bands("solid", 5.9, 112.0).by_diameter == "2"
    assert solid_size_bands("part_solid", 7.9, 270.0) is None
    assert solid_size_bands("solid", 7.9, None) is None


def test_the_report_says_which_measure_decided(tmp_path):
    import datetime as dt

    from pypdf import PdfReader

    from nodule_desk.reports.model import ReportedNodule, VisitReport
    from nodule_desk.reports.pdf_report import write_pdf_report
    from nodule_desk.reports.size_bands import size_notes

    nodule = ReportedNodule("N1", "1.2.3", "solid", (0.0, 0.0, 0.0), 8.2, 7.6, 7.9, 270.0)
    report = VisitReport(
        "P1",
        "Sun^Li",
        "1.2",
        dt.date(2026, 3, 1),
        "1.2.1",
        "1.2.9",
        [],
        nodules=[nodule],
        language="en",
    )
    (note,) = size_notes(report)
    assert "category 3" in note and "gives 4A" in note and "follows the mean diameter" in note
    pdf = write_pdf_report(report, tmp_path / "r.pdf")
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\x00", "")
    assert "volume 270 mm³ gives 4A" in text.replace("\n", " ")
