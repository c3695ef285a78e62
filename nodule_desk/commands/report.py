"""``python -m nodule_desk report --study-uid UID --out DIR``: a stored visit's report outputs.

Drafts the report from the current measurements if it has none (or with --redraft), writes the
PDF, the TID 1500 SR, the Encapsulated PDF and the Key Object Selection into DIR, and signs it
with --sign-as. Prints the paths, the SOP Instance UIDs and the category as JSON.
"""

from __future__ import annotations

import argparse
from typing import Any

from nodule_desk.reports.publish import publish_report
from nodule_desk.reports.visit_report import draft_report
from nodule_desk.settings import load_settings, settings_path
from nodule_desk.store import Store


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings(settings_path(args.db) if args.db else None)
    with Store.open(args.db) as store:
        report = store.current_report(args.study_uid)
        if report is None or (args.redraft and report.status == "draft"):
            draft_report(
                store, args.study_uid, settings, language=args.language, context=args.context
            )
        return publish_report(store, args.study_uid, args.out, settings, sign_as=args.sign_as)
