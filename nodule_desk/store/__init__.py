"""The SQLite store: schema, migrations, queries, audit."""

from nodule_desk.store.models import (
    ImportSummary,
    Measurement,
    MeasurementValues,
    Nodule,
    OutboxItem,
    Patient,
    Rejection,
    Report,
    Series,
    Study,
)
from nodule_desk.store.store import Store

__all__ = [
    "ImportSummary",
    "Measurement",
    "MeasurementValues",
    "Nodule",
    "OutboxItem",
    "Patient",
    "Rejection",
    "Report",
    "Series",
    "Store",
    "Study",
]
