"""The case summary of a signed visit goes to a real Orthanc (the parent center) over DICOMweb,
de-identified by PS3.15 Annex E, and comes back the same through WADO-RS; failures of the link
leave it queued with the reason and it is delivered exactly once after recovery."""

from __future__ import annotations

import datetime as dt
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from pydicom import dcmread
from pypdf import PdfReader

from nodule_desk.settings import load_settings
from nodule_desk.store import Store
from nodule_desk.sync.deidentify import Pseudonym
from nodule_desk.sync.dicomweb import DicomWebClient
from nodule_desk.sync.package_format import MANIFEST
from nodule_desk.sync.profile import DeidentificationOptions
from tests.core.http_stub import HttpStub
from tests.core.parent_orthanc import Orthanc
from tests.core.profile_check import assert_no_phi, check_profile
from tests.core.sync_fixtures import (
    INSTITUTION,
    Visit,
    make_visit,
    point_at,
    run_sync,
    sign_visit,
    write_site_settings,
)

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]
PATIENT_ID = "PHI-ID-778"
PHI_OF_THE_VISIT = (PATIENT_ID, "19610203", "1961-02-03", INSTITUTION, "Wang")


@pytest.fixture(scope="module")
def signed_template(tmp_path_factory: pytest.TempPathFactory) -> Visit:
    """One signed visit whose summary is queued; each test works on its own copy."""
    root = tmp_path_factory.mktemp("branch")
    visit = make_visit(root, PATIENT_ID, dt.date(2026, 3, 1))
    settings = write_site_settings(visit.db, "http://127.0.0.1:9/dicom-web")
    sign_visit(visit, settings, root / "out")
    return visit


@pytest.fixture()
def branch(signed_template: Visit, tmp_path: Path) -> Visit:
    source = signed_template.db.parent
    target = tmp_path / "branch"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("ct-*", "out", "*.lock"))
    return Visit(
        target / "store.sqlite",
        signed_template.identity,
        source / "unused",
        signed_template.published,
    )


@pytest.fixture()
def parent(tmp_path: Path):
    server = Orthanc(tmp_path / "orthanc").start()
    yield server
    server.stop()


def new_instance_events(parent: Orthanc) -> int:
    """Orthanc logs a NewInstance change only when it stores an instance it did not have."""
    changes = parent.rest("GET", "/changes", params={"limit": 10000}).json()["Changes"]
    return sum(1 for change in changes if change["ChangeType"] == "NewInstance")


def package_files(branch: Visit) -> list[Path]:
    with Store.open(branch.db) as store:
        (item,) = store.outbox_items(None)
    folder = branch.db.parent / item.payload_path
    return sorted(p for p in folder.iterdir() if p.name != MANIFEST)


def pseudonym_of(branch: Visit) -> Pseudonym:
    with Store.open(branch.db) as store:
        record = store.pseudonym_for(PATIENT_ID, "BR01")
    return Pseudonym(record.pseudonym, record.date_shift_days, record.uid_key)


def test_the_summary_goes_out_and_comes_back_identical_through_wado(branch: Visit, parent):
    point_at(branch.db, parent.dicomweb_url)
    code, result, stderr = run_sync(branch.db, parent.password)
    assert code == 0, stderr
    assert result["sent"] == [{"study_uid": branch.identity.study_uid, "instances": 3}]
    assert result["pending"] == []
    sent = {str(dcmread(p).SOPInstanceUID): dcmread(p) for p in package_files(branch)}
    client = DicomWebClient(
        load_settings(branch.db.parent / "settings.json").parent_center, parent.password
    )
    for uid, local in sent.items():
        back = dcmread(
            BytesIO(client.retrieve(local.StudyInstanceUID, local.SeriesInstanceUID, uid))
        )
        assert back == local  # every element as sent, nested ones included
    client.close()
    assert new_instance_events(parent) == 3


def test_every_outgoing_object_follows_the_profile(branch: Visit):
    pseudonym = pseudonym_of(branch)
    options = DeidentificationOptions()
    sources = {
        "1.2.840.10008.5.1.4.1.1.88.34": dcmread(branch.published["sr"]),
        "1.2.840.10008.5.1.4.1.1.104.1": dcmread(branch.published["encapsulated_pdf"]),
        "1.2.840.10008.5.1.4.1.1.88.59": dcmread(branch.published["kos"]),
    }
    outgoing = [dcmread(p) for p in package_files(branch)]
    assert sorted(str(d.SOPClassUID) for d in outgoing) == sorted(sources)
    for out in outgoing:
        source = sources[str(out.SOPClassUID)]
        assert check_profile(source, out, options, pseudonym, skip=(0x00420011,)) >= 10
        assert out.PatientID == pseudonym.patient_id and out.PatientIdentityRemoved == "YES"
        assert_no_phi(Path(out.filename).read_bytes(), PHI_OF_THE_VISIT)
        names = [str(e.value) for e in out.iterall() if e.VR == "PN" and e.value]
        assert all(n in (pseudonym.patient_name, "Radiologist^BR01") for n in names), names
    ct_uids = {
        pseudonym.uid(str(dcmread(p, stop_before_pixels=True).SOPInstanceUID))
        for p in sorted(Path(branch.published["sr"]).parents[1].glob("ct-*/*.dcm"))
    }
    kos = next(d for d in outgoing if d.Modality == "KO")
    referenced = {str(e.value) for e in kos.iterall() if e.keyword == "ReferencedSOPInstanceUID"}
    assert referenced and referenced <= ct_uids, "the KOS references the pseudonymised CT slices"


def test_the_pdf_sent_is_rendered_from_the_deidentified_report(branch: Visit):
    pseudonym = pseudonym_of(branch)
    pdf_instance = next(dcmread(p) for p in package_files(branch) if dcmread(p).Modality == "DOC")
    document = bytes(pdf_instance.EncapsulatedDocument)[: pdf_instance.EncapsulatedDocumentLength]
    reader = PdfReader(BytesIO(document))
    text = pdf_text(reader)
    assert pseudonym.patient_id in text
    for phi in (*PHI_OF_THE_VISIT, "Zhang", "Sanfeng", "1961"):
        assert phi not in text, phi
    assert phi_free_metadata(reader)
    signed_text = pdf_text(PdfReader(branch.published["pdf"]))
    assert PATIENT_ID in signed_text, "the signed PDF is the branch's own, untouched"


def pdf_text(reader: PdfReader) -> str:
    """The PDF's text (pypdf puts a NUL before each glyph of the CID-keyed CJK font)."""
    return "".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def phi_free_metadata(reader: PdfReader) -> bool:
    info = " ".join(str(v) for v in (reader.metadata or {}).values())
    return PATIENT_ID not in info and "Zhang" not in info


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("wrong_password", "password"),
        ("stopped", "connection failed"),
        ("500", "HTTP 500"),
        ("hang", "no answer within"),
        ("cut", "connection"),
    ],
)
def test_a_failure_leaves_it_queued_with_the_reason_then_it_arrives_once(
    branch: Visit, parent, failure: str, reason: str, tmp_path: Path
):
    stub = None
    password = parent.password
    if failure == "wrong_password":
        point_at(branch.db, parent.dicomweb_url)
        password = "not-the-password"
    elif failure == "stopped":
        down = Orthanc(tmp_path / "down")
        point_at(branch.db, f"http://127.0.0.1:{down.port}/dicom-web")
    else:
        stub = HttpStub(failure).start()
        point_at(branch.db, stub.url, read_timeout_s=1.0)
    code, result, stderr = run_sync(branch.db, password)
    if stub is not None:
        stub.stop()
        assert stub.requests >= 1
    assert code == 1, stderr
    (pending,) = result["pending"]
    assert pending["status"] == "queued" and reason in pending["reason"], pending
    assert result["sent"] == []

    point_at(branch.db, parent.dicomweb_url, read_timeout_s=60.0)
    code, result, stderr = run_sync(branch.db, parent.password)
    assert code == 0, stderr
    assert [s["instances"] for s in result["sent"]] == [3]
    code, again, _ = run_sync(branch.db, parent.password)
    assert code == 0 and again["sent"] == []
    assert new_instance_events(parent) == 3
