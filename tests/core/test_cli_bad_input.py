"""Malformed input to the CLI: exit code 2 and one line naming the cause, never a traceback
(DESIGN.md: "errors on stderr with a non-zero exit"; issue 14). And hostile but valid input (names
with quotes, SQL metacharacters, control characters, 10 kB strings; paths with spaces and Chinese
characters) goes through whole: what was given is what is stored.

Most cases run ``cli.main`` in this process (an uncaught exception fails the test just as a
traceback would); a few run the real ``python -m nodule_desk`` to check stderr as a user sees it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.cli import main
from nodule_desk.store import Store
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

REPO = Path(__file__).resolve().parents[2]

VALID: dict[str, Any] = {
    "exam": {"date": "2026-03-01", "context": "screening", "prior_exam_date": "2025-03-01"},
    "nodules": [
        {
            "id": "N1",
            "density_type": "part_solid",
            "mean_diameter_mm": 11.0,
            "solid_component_mm": 6.5,
            "prior": {"mean_diameter_mm": 10.0, "solid_component_mm": 3.0,
                      "density_type": "part_solid"},
        }
    ],
}  # fmt: skip

HOSTILE_TEXT = [
    'O\'Brien "Bobby"',
    "'; DROP TABLE patients; --",
    "1' OR '1'='1",
    "\x00\x01\x07\x1b[31mred\r\n",
    "\u202eevil\u200b",
    "张伟" * 2500,
    "x" * 10_240,
]
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, -0.0, 1e308, -1e308, 10**400, float("nan"), float("inf"),
    float("-inf"), "", "abc", "12 mm", "1e999", "NaN", [], [1, 2], {}, {"a": 1}, *HOSTILE_TEXT,
]  # fmt: skip


def _paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(document: Any, path: tuple, value: Any, delete: bool = False) -> Any:
    result = copy.deepcopy(document)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return result


def malformed_findings() -> list[tuple[str, str]]:
    """(description, file text): every field replaced by each odd value or removed, the document
    truncated at every tenth character, and a few whole-document oddities."""
    cases: list[tuple[str, str]] = []
    for path in _paths(VALID):
        cases.append((f"without {path}", json.dumps(_replaced(VALID, path, None, delete=True))))
        for value in ODD_VALUES:
            text = json.dumps(_replaced(VALID, path, value), ensure_ascii=False)
            cases.append((f"{path} = {str(value)[:20]!r}", text))
    whole = json.dumps(VALID)
    cases += [(f"truncated at {n}", whole[:n]) for n in range(0, len(whole), 10)]
    cases += [
        ("a list", "[]"),
        ("a number", "42"),
        ("null", "null"),
        ("a string", '"findings"'),
        ("deep nesting", "[" * 100_000 + "]" * 100_000),
        ("nodules deep", '{"exam": {}, "nodules": ' + "[" * 5000 + "]" * 5000 + "}"),
        ("duplicate keys", '{"exam": 1, "exam": {"date": "2026-03-01"}, "nodules": []}'),
        ("a huge number", '{"exam": {"date": "2026-03-01"}, "nodules": [{"id": "N1", '
         '"density_type": "solid", "mean_diameter_mm": 1' + "0" * 5000 + "}]}"),
        ("10 kB of spaces", " " * 10_240),
        ("byte order mark", "\ufeff" + whole),
    ]  # fmt: skip
    return cases


def test_malformed_classify_input_gives_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "findings.json"
    outcomes = {"accepted": 0, "refused": 0}
    cases = malformed_findings()
    for description, text in cases:
        path.write_text(text, encoding="utf-8")
        code = main(["classify", str(path)])
        out, err = capsys.readouterr()
        if code == 0:
            json.loads(out)  # a value the rules accept (e.g. another valid density) is fine
            outcomes["accepted"] += 1
            continue
        assert code == 2, description
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("nodule-desk classify: "), (description, err)
        assert len(lines[0]) <= 600 and out == "", description
        outcomes["refused"] += 1
    assert outcomes["refused"] > len(cases) * 0.7
    print(f"\nclassify: {len(cases)} malformed files, {outcomes}")


@pytest.mark.parametrize(
    "raw",
    [b"", b"\xff\xfe\x00garbage", b'{"exam": ', "张伟".encode("gb18030")],
    ids=["empty", "not utf-8", "truncated", "gb18030"],
)
def test_unreadable_findings_file_through_the_real_cli(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "病人 资料" / "findings one.json"
    path.parent.mkdir()
    path.write_bytes(raw)
    done = subprocess.run(
        [sys.executable, "-m", "nodule_desk", "classify", str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1 and str(path) in done.stderr


def test_a_folder_given_as_findings_file(tmp_path: Path, capsys) -> None:
    assert main(["classify", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


@pytest.mark.parametrize("uid", ["1.2.3.4", "1' OR '1'='1", "", "张" * 5000, "\x00\n\r"])
def test_report_for_an_unknown_study(tmp_path: Path, capsys, uid: str) -> None:
    code = main(["report", "--db", str(tmp_path / "s.sqlite"), "--study-uid", uid,
                 "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert len(err) <= 700


def _series(folder: Path, patient_id: str, name: str, seed: int = 0) -> SeriesIdentity:
    volume, _ = make_phantom(PhantomSpec(6.0 + seed, density="solid", slice_mm=2.5))
    identity = SeriesIdentity(patient_id, name, dt.date(2026, 2, 1 + seed))
    write_ct_series(volume, folder, identity)
    return identity


@pytest.mark.slow
def test_hostile_names_and_paths_round_trip(tmp_path: Path, capsys) -> None:
    root = tmp_path / "数据 文件夹" / "病人 CT"
    identities = []
    for index, text in enumerate(HOSTILE_TEXT[:5]):
        name = text.replace("\\", "/")
        identities.append(_series(root / f"序列 {index}", f"P-{index}'\";--", name))
    db = tmp_path / "存储 库" / "store one.sqlite"
    assert main(["import", str(root), "--db", str(db)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] == [] and len(result["series"]) == len(identities)
    with Store.open(db) as store:
        for identity in identities:
            patient = store.get_patient(identity.patient_id)
            assert patient is not None and patient.name == identity.patient_name
        assert store.search_patients("'; DROP TABLE patients; --")
        assert len(store.search_patients("")) == len(identities)
    series_dir = root / "序列 0"
    assert main(["measure", str(series_dir), "--seed", "0", "0", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["volume_mm3"] > 0
    long_name = _series(tmp_path / "long", "P-LONG", "x" * 10_240)
    assert main(["import", str(tmp_path / "long"), "--db", str(db)]) == 0
    result = json.loads(capsys.readouterr().out)
    with Store.open(db) as store:
        stored = store.get_patient(long_name.patient_id)
    assert stored is not None and stored.name == long_name.patient_name, result["errors"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--link-in-place"]], ids=["archive", "in place"])
def test_two_imports_at_once_lose_nothing_and_duplicate_nothing(tmp_path: Path, mode) -> None:
    folders = [tmp_path / f"s{i}" for i in range(4)]
    uids = [_series(f, f"CC-{i % 2}", f"Con^Current{i % 2}", seed=i) for i, f in enumerate(folders)]
    db = tmp_path / "store.sqlite"
    with Store.open(db):
        pass
    first = subprocess.Popen(
        [sys.executable, "-m", "nodule_desk", "import", *map(str, folders[:3]), "--db", str(db),
         *mode], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    second = subprocess.Popen(
        [sys.executable, "-m", "nodule_desk", "import", *map(str, folders[1:]), "--db", str(db),
         *mode], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for process in (first, second):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and "Traceback" not in err, err
        assert json.loads(out)["errors"] == []
    with Store.open(db) as store:
        rows = store.query_all("SELECT series_uid, stack_key FROM series")
        assert sorted(r["series_uid"] for r in rows) == sorted(u.series_uid for u in uids)
        for identity, folder in zip(uids, folders, strict=True):
            files = store.series_files(identity.series_uid)
            expected = len(list(folder.glob("*.dcm")))
            assert len(files) == len(set(files)) == expected and all(p.exists() for p in files)
        assert sorted(p.patient_id for p in store.search_patients("")) == ["CC-0", "CC-1"]
        assert store.query_one("SELECT count(*) AS n FROM studies")["n"] == 4
        assert store.query_one("PRAGMA integrity_check")["integrity_check"] == "ok"
