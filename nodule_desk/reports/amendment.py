"""A change after signing makes the report "amended, pending": a new version to sign again.

A signed report shows the values it was signed with (frozen). When the study's current
measurements are no longer the ones it was made from (a caliper, a label, a rejection, a new
nodule), the signed version stays as it was and a new draft version replaces it; the outputs of
that version reference the ones they replace and say they are an amendment.
"""

from __future__ import annotations

from nodule_desk.reports.frozen import frozen_measurement_ids
from nodule_desk.store import Report, Store


def measurements_changed_since_signing(store: Store, report: Report) -> bool:
    if report.status != "signed" or report.frozen is None:
        return False
    current = sorted(m.id for m in store.current_measurements(study_uid=report.study_uid))
    return current != frozen_measurement_ids(report.frozen)


def amend_if_changed(store: Store, study_uid: str, user: str | None = None) -> Report | None:
    """The pending amendment made now if the study's signed report no longer matches its
    measurements; None when nothing had to change."""
    report = store.current_report(study_uid)
    if report is None or not measurements_changed_since_signing(store, report):
        return None
    return store.amend(
        report.id, user=user, reason="measurements changed after the report was signed"
    )
