"""``python -m nodule_desk query --node NAME [--patient-id ID] [--study-date RANGE] ...``: C-FIND
on a configured PACS node. Prints ``{"node", "level", "matches": [...]}``; study matches carry
``patient_id``, ``patient_name``, ``study_uid``, ``study_date`` (ISO), ``accession_number``,
``description``, ``modalities``, ``n_series``, ``n_instances``."""

from __future__ import annotations

import argparse
from typing import Any

from nodule_desk.dicom.net.nodes import load_node_settings
from nodule_desk.dicom.net.query import QueryKeys, find


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_node_settings(args.db)
    node = settings.node(args.node)
    keys = QueryKeys(
        patient_id=args.patient_id or "",
        patient_name=args.patient_name or "",
        study_date=args.study_date or "",
        modality=args.modality or "",
        accession_number=args.accession_number or "",
        study_uid=args.study_uid or "",
    )
    matches = find(node, settings.ae_title, args.level, keys)
    return {"node": node.name, "level": args.level, "matches": matches}
