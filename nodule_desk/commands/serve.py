"""``python -m nodule_desk serve [--db FILE] [--port N] [--ae-title AE]``: the DICOM receiver,
headless, until SIGINT or SIGTERM.

Listens with the AE title and port of ``settings.json`` beside the store (the options override
them for this run), accepts C-ECHO and C-STORE from the configured nodes only, and prints a JSON
summary of what it received when it stops. Each arrival and refusal is logged on stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections import Counter
from dataclasses import replace
from typing import Any

from nodule_desk.dicom.net.nodes import load_node_settings
from nodule_desk.dicom.net.receiver import DicomReceiver, ReceiveEvent
from nodule_desk.store import Store


def run(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    settings = load_node_settings(args.db)
    if args.port is not None:
        settings = replace(settings, port=args.port)
    if args.ae_title:
        settings = replace(settings, ae_title=args.ae_title)
    counts: Counter[str] = Counter()
    series: dict[str, int] = {}

    def count(event: ReceiveEvent) -> None:
        counts[event.kind] += 1
        if event.kind == "series":
            series[event.series_uid] = event.instances

    db = args.db or _default_db()
    with Store.open(db):  # a store that cannot be used fails now, not at the first arrival
        pass
    receiver = DicomReceiver(db, settings, on_event=count)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    receiver.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        receiver.close()
    return {
        "ae_title": settings.ae_title,
        "port": receiver.settings.port,
        "instances_stored": counts["stored"],
        "associations_refused": counts["refused"],
        "failures": counts["failed"],
        "series": [{"series_uid": uid, "n_slices": n} for uid, n in series.items()],
    }


def _default_db():  # noqa: ANN202
    from nodule_desk.paths import default_db_path

    return default_db_path()
