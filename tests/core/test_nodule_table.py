"""The report's nodule table names the lobe in the report's language."""

from __future__ import annotations

import datetime as dt

from nodule_desk.reports.model import ReportedNodule, VisitReport
from nodule_desk.reports.nodule_table import nodule_table


def test_the_lobe_is_named_in_the_report_language():
    nodule = ReportedNodule("N1", "1.2.3", "solid", (0.0, 0.0, 0.0), lobe="RLL")
    for language, expected in (("zh_CN", "右肺下叶"), ("en", "RLL")):
        report = VisitReport(
            "P1",
            "Li^Na",
            "1.2",
            dt.date(2026, 3, 1),
            "1.2.1",
            "1.2.9",
            [],
            nodules=[nodule],
            language=language,
        )
        _, rows = nodule_table(report)
        assert rows[0][1] == expected
