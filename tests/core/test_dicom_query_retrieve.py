"""C-FIND, C-MOVE and C-GET against a real Orthanc as the hospital PACS (PS3.4 Annex C): find a
patient's studies by ID, date range, modality and accession, and fetch one into the archive."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodule_desk.dicom.load import load_series
from nodule_desk.dicom.net.association import DicomNetworkError, echo
from nodule_desk.dicom.net.nodes import NodeSettingsError, RemoteNode
from nodule_desk.dicom.net.query import QueryKeys, dicom_date_range, find
from nodule_desk.dicom.net.retrieve import retrieve_study
from nodule_desk.progress import CancelToken
from nodule_desk.store import Store
from tests.core.dicom_peers import (
    DESK_AE,
    ORTHANC_AE,
    desk_settings,
    free_port,
    running_orthanc,
    tiny_ct_series,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pacs(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pacs")
    desk_port = free_port()
    prior, prior_files = tiny_ct_series(
        root / "prior", 8, "PR-7", "Liu^Yang", dt.date(2023, 3, 1), accession_number="A-2023"
    )
    current, current_files = tiny_ct_series(
        root / "current", 5, "PR-7", "Liu^Yang", dt.date(2024, 3, 4), accession_number="A-2024"
    )
    other, other_files = tiny_ct_series(root / "other", 3, "PR-9", "Xu^Jing", dt.date(2024, 3, 4))
    modalities = {"desk": [DESK_AE, "127.0.0.1", desk_port]}
    with running_orthanc(root / "orthanc", modalities) as orthanc:
        orthanc.upload(prior_files + current_files + other_files)
        yield {
            "orthanc": orthanc,
            "desk_port": desk_port,
            "prior": prior,
            "current": current,
            "node": RemoteNode("PACS", ORTHANC_AE, "127.0.0.1", orthanc.dicom_port),
        }


def test_c_echo_answers_and_a_wrong_port_says_no_answer(pacs):
    assert echo(pacs["node"], DESK_AE) < 5.0
    wrong = RemoteNode("PACS", ORTHANC_AE, "127.0.0.1", free_port())
    with pytest.raises(DicomNetworkError, match="no answer"):
        echo(wrong, DESK_AE)


def test_c_find_by_patient_id_date_range_accession_and_at_series_level(pacs):
    node = pacs["node"]
    both = find(node, DESK_AE, "study", QueryKeys(patient_id="PR-7"))
    assert sorted(m["study_date"] for m in both) == ["2023-03-01", "2024-03-04"]
    assert {m["patient_name"] for m in both} == {"Liu^Yang"}
    recent = find(node, DESK_AE, "study", QueryKeys(patient_id="PR-7", study_date="20240101-"))
    assert [m["study_uid"] for m in recent] == [pacs["current"].study_uid]
    by_accession = find(node, DESK_AE, "study", QueryKeys(accession_number="A-2023"))
    assert [m["study_uid"] for m in by_accession] == [pacs["prior"].study_uid]
    on_day = find(node, DESK_AE, "study", QueryKeys(study_date="2024-03-04", modality="CT"))
    assert {m["patient_id"] for m in on_day} == {"PR-7", "PR-9"}
    (series,) = find(node, DESK_AE, "series", QueryKeys(study_uid=pacs["prior"].study_uid))
    assert (series["series_uid"], series["modality"]) == (pacs["prior"].series_uid, "CT")
    (patient,) = find(node, DESK_AE, "patient", QueryKeys(patient_id="PR-9"))
    assert patient["patient_name"] == "Xu^Jing"


def test_a_date_range_that_is_not_one_is_refused_before_anything_is_sent():
    assert dicom_date_range("2024-01-01..2024-06-30") == "20240101-20240630"
    assert dicom_date_range("-20241231") == "-20241231"
    with pytest.raises(NodeSettingsError, match="YYYYMMDD"):
        dicom_date_range("last year")


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nodule_desk", *map(str, args)],
        capture_output=True, text=True, cwd=REPO, timeout=180,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_query_and_retrieve_commands_find_and_move_a_study_into_the_archive(pacs, tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    desk_settings(db, pacs["desk_port"], [pacs["node"]])
    found = _cli("query", "--db", db, "--node", "PACS", "--patient-id", "PR-7",
                 "--study-date", "20230101-20231231")
    assert found.returncode == 0, found.stderr
    (match,) = json.loads(found.stdout)["matches"]
    assert match["study_uid"] == pacs["prior"].study_uid and match["n_instances"] == 8

    moved = _cli("retrieve", "--db", db, "--node", "PACS", "--study-uid", match["study_uid"])
    assert moved.returncode == 0, moved.stderr
    result = json.loads(moved.stdout)
    assert (result["method"], result["completed"], result["failed"]) == ("move", 8, 0)
    assert result["series"] == [
        {"series_uid": pacs["prior"].series_uid, "description": "Lung 1.0", "n_slices": 8}]
    with Store.open(db) as store:
        files = store.series_files(pacs["prior"].series_uid)
        assert all(p.is_relative_to(db.parent / "archive") for p in files)
    volume = load_series(files)
    assert [int(volume.hu[k, 0, 0]) for k in range(8)] == list(range(8))


def test_c_get_fetches_on_the_same_association_with_progress(pacs, tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    settings = desk_settings(db, free_port(), [pacs["node"]])
    seen = []
    result = retrieve_study(db, settings, "PACS", pacs["current"].study_uid, method="get",
                            progress=seen.append)
    assert (result.completed, result.failed, result.cancelled) == (5, 0, False)
    assert seen and seen[-1].done == 5 and all(p.total == 5 for p in seen)
    with Store.open(db) as store:
        assert store.count_archived_instances() == 5
        assert store.get_series(pacs["current"].series_uid).n_slices == 5


def test_a_cancelled_retrieve_stops_and_says_so(pacs, tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    settings = desk_settings(db, free_port(), [pacs["node"]])
    cancel = CancelToken()
    cancel.cancel()
    result = retrieve_study(db, settings, "PACS", pacs["prior"].study_uid, method="get",
                            cancel=cancel)
    assert result.cancelled
    with Store.open(db) as store:
        assert store.count_archived_instances() < 8, "the PACS stopped sending"


def test_retrieve_from_an_unknown_node_names_the_known_ones(pacs, tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    desk_settings(db, free_port(), [pacs["node"]])
    done = _cli("retrieve", "--db", db, "--node", "NOPE", "--study-uid", "1.2.3")
    assert done.returncode == 2 and "PACS" in done.stderr and "Traceback" not in done.stderr
