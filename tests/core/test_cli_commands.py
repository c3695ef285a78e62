"""Every subcommand the CLI lists runs as a user would run it: real input gives JSON and exit 0;
bad input gives exit 2 and a one-line reason on stderr, never a traceback (DESIGN.md, CLI
contract: "JSON on stdout, errors on stderr with a non-zero exit").

The bad-input test walks ``COMMAND_MODULES`` and the parser, so a command added later is checked
without editing this file: each positional path and each required path option gets a path that
does not exist, a seed gets 0 0 0, any other required option an unknown UID, and ``--db`` a
folder, which is not a store (``import`` reports a missing path as an item of ``errors``, its
contract, and ``followups`` has no required input: for them the store is the bad input).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.cli import COMMAND_MODULES, build_parser
from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.followup.nodule_records import measure_and_record
from nodule_desk.store import Store
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.generate import generate

REPO = Path(__file__).resolve().parents[2]


def nodule_desk(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nodule_desk", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]
    raise AssertionError("the CLI has no subcommands")


def bad_argv(command: str, tmp_path: Path) -> list[str]:
    """Arguments that parse but point at nothing that exists."""
    missing = tmp_path / "does not exist"
    argv = [command]
    for action in _subparser(command)._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            count = action.nargs if isinstance(action.nargs, int) else 1
            argv += [str(missing)] * count
        elif action.required:
            value = ["0", "0", "0"] if action.nargs == 3 else None
            if value is None:
                is_path = action.type is Path
                value = [str(missing) if is_path else "1.2.826.0.1.3680043.9.9999.1"]
            argv += [action.option_strings[0], *value]
        elif action.dest == "db":
            argv += ["--db", str(tmp_path)]  # a folder is not a store
    return argv


@pytest.mark.parametrize("command", sorted(COMMAND_MODULES))
def test_bad_input_gives_exit_2_and_one_line_reason(command: str, tmp_path: Path) -> None:
    argv = bad_argv(command, tmp_path)
    done = nodule_desk(*argv, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (argv, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"nodule-desk {command}: "), done.stderr
    assert done.stdout == ""


@pytest.fixture(scope="module")
def patient(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Sample patient P001 (two visits of a whole chest, 160 x 160 matrix) for import and detect,
    and a 7 mm solid nodule phantom on 1.25 mm slices, imported with the nodule recorded, for
    measure, report and read-sr."""
    root = tmp_path_factory.mktemp("cli")
    samples = root / "samples"
    generate(samples, patients=1, matrix=160, coverage_mm=120.0, workers=1)
    truths = [json.loads(p.read_text("utf-8")) for p in sorted(samples.glob("*/*/truth.json"))]
    volume, _ = make_phantom(PhantomSpec(7.0, density="solid", slice_mm=1.25))
    identity = SeriesIdentity("CLI-1", "Zhou^Min", dt.date(2026, 3, 1))
    write_ct_series(volume, root / "nodule", identity)
    db = root / "store.sqlite"
    with Store.open(db) as store:
        store.add_scan_result(scan_paths([root / "nodule"]))
        measure_and_record(
            store, load_series_dir(root / "nodule"), (0.0, 0.0, 0.0), identity.series_uid
        )
    return {
        "root": root,
        "samples": samples,
        "db": db,
        "chest_dir": samples / truths[0]["series"]["folder"],
        "followup_dir": samples / truths[1]["series"]["folder"],
        "nodule_dir": root / "nodule",
        "study_uid": identity.study_uid,
        "seed": ["0", "0", "0"],
        "chest_seed": [str(v) for v in _largest(truths[0])["centroid_lps_mm"]],
    }


def _largest(truth: dict) -> dict:
    present = [n for n in truth["nodules"] if n["present"]]
    return max(present, key=lambda n: n["mean_diameter_mm"])


def _findings(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "exam": {"date": "2026-03-01", "context": "screening", "prior_exam_date": None},
                "nodules": [{"id": "N1", "density_type": "solid", "mean_diameter_mm": 7.0}],
            }
        ),
        encoding="utf-8",
    )
    return path


REAL_INPUT = {
    "import": lambda p: ["import", str(p["samples"]), "--db", str(p["root"] / "fresh.sqlite")],
    "measure": lambda p: ["measure", str(p["nodule_dir"]), "--seed", *p["seed"]],
    "detect": lambda p: ["detect", str(p["chest_dir"])],
    "track": lambda p: [
        "track", str(p["chest_dir"]), str(p["followup_dir"]), "--seed", *p["chest_seed"],
    ],
    "followups": lambda p: ["followups", "--db", str(p["db"])],
    "classify": lambda p: ["classify", str(_findings(p["root"] / "findings.json"))],
    "report": lambda p: [
        "report", "--db", str(p["db"]), "--study-uid", p["study_uid"], "--out",
        str(p["root"] / "report"),
    ],
    "read-sr": lambda p: ["read-sr", str(p["root"] / "report" / "sr.dcm")],
}  # fmt: skip
"""Commands with a real-input case, in an order where each finds what the ones before made.
``sync`` needs a parent center (its own tests start a real Orthanc); ``serve``, ``query`` and
``retrieve`` a PACS node: the bad-input test covers them here."""


@pytest.mark.slow
def test_every_command_with_real_input_prints_json(patient: dict) -> None:
    for command, make_argv in REAL_INPUT.items():
        done = nodule_desk(*make_argv(patient))
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
        result = json.loads(done.stdout)
        assert isinstance(result, dict) and result, command
