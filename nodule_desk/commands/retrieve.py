"""``python -m nodule_desk retrieve --node NAME --study-uid UID [--method move|get]``: fetch a
study into the local archive and the store. Prints ``{"node", "study_uid", "method",
"completed", "failed", "warning", "cancelled", "series": [{"series_uid", "description",
"n_slices"}]}``. A C-MOVE needs this workstation's AE title known to the PACS; if the app's
receiver already holds the port, close the app or use ``--method get``."""

from __future__ import annotations

import argparse
from typing import Any

from nodule_desk.dicom.net.nodes import load_node_settings
from nodule_desk.dicom.net.retrieve import retrieve_study
from nodule_desk.paths import default_db_path


def run(args: argparse.Namespace) -> dict[str, Any]:
    db_path = args.db or default_db_path()
    settings = load_node_settings(db_path)
    result = retrieve_study(db_path, settings, args.node, args.study_uid, method=args.method)
    return result.as_json()
