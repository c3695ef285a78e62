"""Headless subcommands: ``python -m nodule_desk COMMAND ...``.

JSON goes to stdout; errors go to stderr with a non-zero exit. The contract of each command is in
DESIGN.md. Each command's work lives in its own module of ``nodule_desk.commands`` as
``run(args) -> dict``; this file only parses arguments and imports the module of the command that
was asked for, so start-up stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from nodule_desk.errors import NoduleDeskError

EXIT_ERROR = 2

COMMAND_MODULES = {
    "import": "nodule_desk.commands.import_series",
    "measure": "nodule_desk.commands.measure",
    "detect": "nodule_desk.commands.detect",
    "track": "nodule_desk.commands.track",
    "followups": "nodule_desk.commands.followups",
    "classify": "nodule_desk.commands.classify",
    "report": "nodule_desk.commands.report",
    "read-sr": "nodule_desk.commands.read_sr",
    "sync": "nodule_desk.commands.sync",
    "serve": "nodule_desk.commands.serve",
    "query": "nodule_desk.commands.query",
    "retrieve": "nodule_desk.commands.retrieve",
}


MAX_MESSAGE_CHARS = 500


def one_line(message: str) -> str:
    """An error message as one line of bounded length: control characters (a newline in a
    patient name, an escape sequence) become spaces, and an overlong middle is cut out so the
    cause at the start and the file at the end both stay."""
    text = " ".join("".join(c if c.isprintable() else " " for c in message).split())
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    half = MAX_MESSAGE_CHARS // 2 - 2
    return f"{text[:half]} ... {text[-half:]}"


def _seed(values: Sequence[str]) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in values)
    return (x, y, z)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nodule-desk", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="find CT series under paths and add them to the store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--db", type=Path, help="SQLite store (default: the user's data dir)")
    p.add_argument(
        "--link-in-place",
        action="store_true",
        help="store the files where they are instead of copying them into the local archive",
    )

    p = sub.add_parser("measure", help="segment and measure the nodule at a seed point")
    p.add_argument("series_dir", type=Path, metavar="SERIES_DIR")
    p.add_argument(
        "--seed", nargs=3, required=True, metavar=("X", "Y", "Z"), help="world LPS position in mm"
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="store the measurement (importing the series first), joined to a prior nodule",
    )
    p.add_argument("--db", type=Path, help="SQLite store (default: the user's data dir)")

    p = sub.add_parser("detect", help="find nodule candidates in a series")
    p.add_argument("series_dir", type=Path, metavar="SERIES_DIR")

    p = sub.add_parser("track", help="match and measure nodules across two visits")
    p.add_argument("baseline_dir", type=Path, metavar="BASELINE_DIR")
    p.add_argument("followup_dir", type=Path, metavar="FOLLOWUP_DIR")
    p.add_argument(
        "--seed",
        nargs=3,
        action="append",
        required=True,
        metavar=("X", "Y", "Z"),
        help="world LPS position in mm on the baseline; repeat for several nodules",
    )

    p = sub.add_parser("followups", help="the follow-up worklist: who is due, soonest first")
    p.add_argument("--db", type=Path, help="SQLite store (default: the user's data dir)")
    p.add_argument("--due-before", metavar="DATE", help="only patients due on or before DATE")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the list as CSV")
    p.add_argument("--overdue", action="store_true", help="only patients past their date")
    p.add_argument(
        "--min-category", metavar="CATEGORY", help="only Lung-RADS CATEGORY or higher (e.g. 4A)"
    )
    p.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)

    p = sub.add_parser("classify", help="Lung-RADS, Fleischner and C-Lung-RADS for findings")
    p.add_argument("findings", type=Path, metavar="FINDINGS.json")

    p = sub.add_parser("report", help="write PDF, SR, Encapsulated PDF and KOS for a stored visit")
    p.add_argument("--db", type=Path, help="SQLite store (default: the user's data dir)")
    p.add_argument("--study-uid", required=True, help="StudyInstanceUID of the visit")
    p.add_argument("--out", type=Path, required=True, help="folder to write the outputs into")
    p.add_argument(
        "--language",
        choices=["zh_CN", "en"],
        help="language of a new draft (default: the site settings')",
    )
    p.add_argument(
        "--context",
        choices=["screening", "incidental"],
        help="guideline context of a new draft (default: the site settings')",
    )
    p.add_argument(
        "--sign-as",
        metavar="RADIOLOGIST",
        help="sign the report as this radiologist (a signed report is immutable)",
    )
    p.add_argument(
        "--redraft",
        action="store_true",
        help="re-run the guidelines on the current measurements before writing",
    )
    p = sub.add_parser("sync", help="send the outbox to the parent center and fetch opinions")
    p.add_argument("--db", type=Path, help="SQLite store (default: the user's data dir)")

    p = sub.add_parser("read-sr", help="findings of a TID 1500 measurement SR (ours or another's)")
    p.add_argument("sr_file", type=Path, metavar="SR_FILE")
    _add_network_commands(sub)
    return parser


def _add_network_commands(sub: argparse._SubParsersAction) -> None:
    db_help = "SQLite store (default: the user's data dir); settings.json beside it"
    p = sub.add_parser("serve", help="run the DICOM receiver (C-ECHO, C-STORE) until stopped")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--port", type=int, help="listen on this port instead of the settings'")
    p.add_argument("--ae-title", help="use this AE title instead of the settings'")

    p = sub.add_parser("query", help="C-FIND studies on a configured PACS node")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--node", required=True, help="name of the node in the settings")
    p.add_argument("--level", choices=["patient", "study", "series"], default="study")
    p.add_argument("--patient-id")
    p.add_argument("--patient-name", help="DICOM wildcards allowed: ZHANG*")
    p.add_argument("--study-date", help="YYYYMMDD, YYYYMMDD-YYYYMMDD, -YYYYMMDD or YYYYMMDD-")
    p.add_argument("--modality", help="e.g. CT")
    p.add_argument("--accession-number")
    p.add_argument("--study-uid", help="StudyInstanceUID (needed at series level)")

    p = sub.add_parser("retrieve", help="C-MOVE or C-GET a study into the local archive")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--node", required=True, help="name of the node in the settings")
    p.add_argument("--study-uid", required=True, help="StudyInstanceUID to fetch")
    p.add_argument("--method", choices=["move", "get"], help="default: the node's setting")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "seed", None) is not None:
        if args.command == "track":
            args.seed = [_seed(s) for s in args.seed]
        else:
            args.seed = _seed(args.seed)
    try:
        module = importlib.import_module(COMMAND_MODULES[args.command])
        result = module.run(args)
    except (NoduleDeskError, OSError, ValueError) as error:
        print(f"nodule-desk {args.command}: {one_line(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return int(getattr(module, "exit_code", lambda _result: 0)(result))


if __name__ == "__main__":
    raise SystemExit(main())
