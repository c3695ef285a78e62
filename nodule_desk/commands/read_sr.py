"""``python -m nodule_desk read-sr SR_FILE``: the findings a TID 1500 measurement report carries.

What the parent center (or the branch, for a report sent back) reads out of an SR, as JSON: one
item per measurement group with its tracking UID, so both sides can check their copies agree.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from nodule_desk.reports.sr_reader import read_measurement_report


def run(args: argparse.Namespace) -> dict[str, Any]:
    report = read_measurement_report(args.sr_file)
    findings = []
    for finding in report.findings:
        item = asdict(finding)
        item["center_mm"] = list(finding.center_mm) if finding.center_mm else None
        findings.append(item)
    return {
        "sop_instance_uid": report.sop_instance_uid,
        "study_uid": report.study_uid,
        "patient_id": report.patient_id,
        "replaces": report.replaces_sop_instance_uids,
        "findings": findings,
    }
