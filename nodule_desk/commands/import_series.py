"""``python -m nodule_desk import PATH… [--db FILE]``: find CT series and add them to the store.

Prints ``{"series": [{"series_uid", "patient_id", "study_date", "n_slices", "spacing_mm"}, ...],
"errors": [{"path", "error"}, ...]}`` (DESIGN.md, CLI contract). The files are copied into the
local archive beside the store (checksummed, written atomically) unless ``--link-in-place`` is
given, so a CD or USB stick can be removed afterwards; each series item says which (``archived``).
A bad file or a path that does not
exist is an item of ``errors`` and the command still succeeds; only a store that cannot be written
fails the command (StoreError, exit 2), and then nothing of this import is stored. The store is
opened before the scan, so a store that cannot be used fails at once, not after a long scan.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nodule_desk.archive.ingest import import_paths
from nodule_desk.dicom.records import FileProblem, ScanResult, SeriesRecord
from nodule_desk.store import ImportSummary, Series, Store


def run(args: argparse.Namespace) -> dict[str, Any]:
    paths = [Path(p) for p in args.paths]
    missing = [FileProblem(p, "no such file or folder") for p in paths if not p.exists()]
    existing = [p for p in paths if p.exists()]
    link_in_place = bool(getattr(args, "link_in_place", False))
    with Store.open(args.db) as store:
        if not existing:
            return import_result(ScanResult(), ImportSummary(), missing)
        outcome = import_paths(store, existing, link_in_place=link_in_place)
    scan = ScanResult(series=outcome.scan.series, problems=outcome.problems)
    result = import_result(scan, outcome.summary, missing)
    for item in result["series"]:
        item["archived"] = not link_in_place
    return result


def import_result(
    scan: ScanResult, summary: ImportSummary, extra_problems: Sequence[FileProblem] = ()
) -> dict[str, Any]:
    """The command's JSON: stored series in the order the scan found them, then every problem."""
    status = {(s.series_uid, s.stack_key): "added" for s in summary.series_added}
    status.update({(s.series_uid, s.stack_key): "updated" for s in summary.series_updated})
    status.update({(s.series_uid, s.stack_key): "unchanged" for s in summary.series_unchanged})
    stored = {(s.series_uid, s.stack_key): s for s in summary.series}
    conflicts = dict(summary.conflicts)
    series: list[dict[str, Any]] = []
    errors = [_error(p) for p in [*extra_problems, *scan.problems]]
    for record in scan.series:
        key = (record.series_uid, record.stack_key)
        if key in stored:
            series.append(_series_item(stored[key], status[key]))
        elif record.series_uid in conflicts:
            errors.append(
                {
                    "path": str(_folder(record)),
                    "error": conflicts[record.series_uid],
                    "series_uid": record.series_uid,
                }
            )
    return {"series": series, "errors": errors}


def _series_item(series: Series, status: str) -> dict[str, Any]:
    return {
        "series_uid": series.series_uid,
        "patient_id": series.patient_id,
        "study_date": series.study_date,
        "n_slices": series.n_slices,
        "spacing_mm": list(series.spacing_mm),
        "study_uid": series.study_uid,
        "stack_key": series.stack_key,
        "description": series.description,
        "warnings": list(series.warnings),
        "stored": status,
    }


def _error(problem: FileProblem) -> dict[str, str]:
    return {"path": str(problem.path), "error": problem.error}


def _folder(record: SeriesRecord) -> Path:
    return Path(record.files[0]).parent if record.files else Path()
