"""A sync killed mid-send resumes and delivers once; a consultation goes with its series and
question; the parent's opinion comes back to the right patient and answers the request."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from nodule_desk.settings import load_settings
from nodule_desk.store import Store
from nodule_desk.sync.queue import request_parent_opinion
from tests.core.http_stub import HttpStub
from tests.core.parent_orthanc import Orthanc
from tests.core.profile_check import PHI_STRINGS
from tests.core.sync_fixtures import REPO, Visit, point_at, run_sync
from tests.core.test_sync_parent_center import (  # noqa: F401  (fixtures)
    PATIENT_ID,
    branch,
    new_instance_events,
    parent,
    signed_template,
)

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"


def test_a_sync_killed_while_sending_resumes_and_delivers_once(branch: Visit, parent):  # noqa: F811
    stub = HttpStub("hang").start()
    point_at(branch.db, stub.url, read_timeout_s=60.0)
    env = {
        **os.environ,
        "NODULE_DESK_PARENT_PASSWORD": "x",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "nodule_desk", "sync", "--db", str(branch.db)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while stub.requests == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    stub.stop()
    with Store.open(branch.db) as store:
        (item,) = store.outbox_items(None)
    assert item.status == "sending", "killed while its STOW-RS was in flight"

    point_at(branch.db, parent.dicomweb_url, read_timeout_s=60.0)
    code, result, stderr = run_sync(branch.db, parent.password)
    assert code == 0, stderr
    assert [s["instances"] for s in result["sent"]] == [3]
    assert new_instance_events(parent) == 3


def expert_opinion(study_uid: str, patient_id: str) -> Dataset:
    """What the parent's expert stores: a Basic Text SR in the pseudonymised study."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = BASIC_TEXT_SR, generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, generate_uid()
    ds.PatientID, ds.PatientName, ds.Modality = patient_id, f"Patient^{patient_id}", "SR"
    ds.ContentDate, ds.ContentTime = "20251201", "101500"
    ds.ValueType, ds.CompletionFlag, ds.VerificationFlag = "CONTAINER", "COMPLETE", "VERIFIED"
    title = Dataset()
    title.CodeValue, title.CodingSchemeDesignator = "11488-4", "LN"
    title.CodeMeaning = "Consult note"
    ds.ConceptNameCodeSequence = [title]
    observer = Dataset()
    observer.VerifyingObserverName = "Li^Ming"
    observer.VerifyingOrganization = "Provincial Cancer Hospital"
    observer.VerificationDateTime = "20251201101500"
    ds.VerifyingObserverSequence = [observer]
    text = Dataset()
    text.RelationshipType, text.ValueType, text.TextValue = "CONTAINS", "TEXT", "Biopsy advised."
    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator, concept.CodeMeaning = (
        "121071",
        "DCM",
        "Finding",
    )
    text.ConceptNameCodeSequence = [concept]
    ds.ContentSequence = [text]
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def store_at_parent(parent: Orthanc, ds: Dataset, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "opinion.dcm"
    ds.save_as(path, enforce_file_format=True)
    answer = parent.rest("POST", "/instances", data=path.read_bytes())
    assert answer.status_code == 200, answer.text


def test_a_consultation_and_the_opinion_that_answers_it(branch: Visit, parent, tmp_path):  # noqa: F811
    point_at(branch.db, parent.dicomweb_url)
    settings = load_settings(branch.db.parent / "settings.json")
    with Store.open(branch.db, user="dr.wang") as store:
        request, item = request_parent_opinion(
            store,
            branch.identity.study_uid,
            branch.identity.series_uid,
            "consultation",
            "Zhang Sanfeng (PHI-ID-778): growing? biopsy?",
            "urgent",
            settings,
        )
        assert request.status == "requested" and item.instances > 3
        n_slices = len(store.series_files(branch.identity.series_uid))
    code, result, stderr = run_sync(branch.db, parent.password)
    assert code == 0, stderr
    assert sorted(s["instances"] for s in result["sent"]) == [3, n_slices + 1]
    with Store.open(branch.db) as store:
        assert store.get_request(request.id).status == "sent"
        (study,) = store.parent_studies()
    kos = [
        i
        for i in parent.instances()
        if dcmread(_bytes(parent, i), stop_before_pixels=True).Modality == "KO"
    ]
    descriptions = [
        str(e.value)
        for i in kos
        for e in dcmread(_bytes(parent, i)).iterall()
        if e.keyword == "TextValue"
    ]
    assert any("consultation (urgent)" in d and "growing? biopsy?" in d for d in descriptions)
    assert not any(phi in d for d in descriptions for phi in (*PHI_STRINGS, PATIENT_ID))

    opinion = expert_opinion(study["deidentified_study_uid"], study["pseudonym"])
    store_at_parent(parent, opinion, tmp_path)
    code, result, stderr = run_sync(branch.db, parent.password)
    assert code == 0, stderr
    assert result["opinions"] == [
        {
            "patient_id": PATIENT_ID,
            "study_uid": branch.identity.study_uid,
            "sop_instance_uid": opinion.SOPInstanceUID,
        }
    ]
    with Store.open(branch.db) as store:
        (stored,) = store.opinions(patient_id=PATIENT_ID)
        assert store.get_request(request.id).status == "answered"
        pseudonym = store.pseudonym_for(PATIENT_ID, "BR01")
    assert stored.expert == "Li^Ming" and stored.text == "Biopsy advised."
    assert stored.title == "Consult note" and stored.request_id == request.id
    shifted_back = dt.date(2025, 12, 1) - dt.timedelta(days=pseudonym.date_shift_days)
    assert stored.opinion_date == shifted_back.isoformat()
    kept = dcmread(stored.path)
    assert kept.PatientID == PATIENT_ID and kept.StudyInstanceUID == branch.identity.study_uid
    code, again, _ = run_sync(branch.db, parent.password)
    assert code == 0 and again["opinions"] == [], "an opinion is fetched once"


def _bytes(parent: Orthanc, orthanc_id: str):  # noqa: F811
    from io import BytesIO

    return BytesIO(parent.instance_file(orthanc_id))
