"""A signed report's values, frozen: the VisitReport as JSON, and back.

At signing, the report as rendered (every number, word and date the PDF and SR show) is stored
with the signed version, hashed (store/reports.py). A signed version is shown and exported only
from these values, so a measurement edited after signing can never change what was signed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nodule_desk.reports.model import ReportedNodule, ReportSignature, VisitReport

FORMAT = 1


def freeze(report: VisitReport, measurement_ids: Sequence[int]) -> dict[str, Any]:
    """The report's data as plain JSON values; ``measurement_ids`` are the measurement versions
    it was made from (a later change to them makes the report amended)."""
    if report.signature is None:
        raise ValueError("only a report with its signature is frozen")
    data = {
        field.name: _plain(getattr(report, field.name))
        for field in dataclasses.fields(VisitReport)
        if field.name not in ("nodules", "signature")
    }
    data["nodules"] = [
        {field.name: _plain(getattr(n, field.name)) for field in dataclasses.fields(n)}
        for n in report.nodules
    ]
    data["signature"] = {
        "radiologist": report.signature.radiologist,
        "signed_at": report.signature.signed_at.isoformat(),
    }
    return {"format": FORMAT, "report": data, "measurement_ids": sorted(measurement_ids)}


def thaw(frozen: dict[str, Any]) -> VisitReport:
    """The VisitReport exactly as it was signed."""
    data = dict(frozen["report"])
    nodules = [_nodule(n) for n in data.pop("nodules")]
    signed = data.pop("signature")
    signature = ReportSignature(
        signed["radiologist"], dt.datetime.fromisoformat(signed["signed_at"])
    )
    for name in ("study_date", "patient_birth_date", "prior_study_date", "follow_up_date"):
        data[name] = dt.date.fromisoformat(data[name]) if data.get(name) else None
    data["source_files"] = [Path(p) for p in data["source_files"]]
    known = {f.name for f in dataclasses.fields(VisitReport)}
    values = {k: v for k, v in data.items() if k in known}
    return VisitReport(**values, nodules=nodules, signature=signature)


def frozen_measurement_ids(frozen: dict[str, Any]) -> list[int]:
    return [int(i) for i in frozen.get("measurement_ids", [])]


def _nodule(data: dict[str, Any]) -> ReportedNodule:
    known = {f.name for f in dataclasses.fields(ReportedNodule)}
    values = {k: v for k, v in data.items() if k in known}
    values["center_mm"] = tuple(values["center_mm"])
    if values.get("key_image_path"):
        values["key_image_path"] = Path(values["key_image_path"])
    return ReportedNodule(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
