"""The case summary of a signed visit, de-identified and ready to send: a folder of DICOM files.

A summary holds the TID 1500 SR, the Encapsulated PDF and the Key Object Selection of the signed
report, each de-identified by PS3.15 Annex E (``deidentify.py``). The PDF inside is not the signed
one: it is rendered again from the de-identified report (pseudonym, shifted dates, no birth date,
no institution, no logo, the radiologist replaced), so no identifier hides in the PDF's text.
A consultation or referral adds the de-identified source series and a KOS that selects it and
carries the question. The folder is written once (temporary name, then renamed) and sent as it is,
so a re-send is byte for byte the same instances with the same UIDs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from nodule_desk.reports.model import ReportSignature, VisitReport
from nodule_desk.reports.pdf_report import write_pdf_report
from nodule_desk.settings import ParentCenterSettings
from nodule_desk.store.models import PatientPseudonym
from nodule_desk.sync.deidentify import Deidentifier, Pseudonym, identifiers_of
from nodule_desk.sync.package_format import DEIDENTIFICATION_KEYWORDS, MANIFEST
from nodule_desk.sync.profile import DeidentificationOptions

REQUEST_KOS_SERIES_NUMBER = 903
REQUEST_TITLES = {"consultation": codes.DCM.ForPeerReview, "referral": codes.DCM.ForDiagnosis}
"""KOS document titles (CID 7010) of the images sent with a request."""


@dataclass(frozen=True)
class Package:
    directory: Path
    deidentified_study_uid: str
    series_uids: tuple[str, ...]
    instances: int
    pseudonym: PatientPseudonym


def outbox_root(store_path: Path) -> Path:
    """Payloads wait beside the store, so a store and its queue move together."""
    return Path(store_path).parent / "outbox"


def engine_for(
    pseudonym: PatientPseudonym,
    settings: ParentCenterSettings,
    sources: Iterable[Dataset],
    extra: Sequence[str] = (),
) -> Deidentifier:
    keys = Pseudonym(
        pseudonym.pseudonym,
        pseudonym.date_shift_days,
        pseudonym.uid_key,
        observer_name=f"Radiologist^{pseudonym.branch_id}",
    )
    options = DeidentificationOptions.from_json(settings.deidentification)
    return Deidentifier(keys, options, identifiers_of(sources, extra))


def _shift(day: dt.date | None, days: int, options: DeidentificationOptions) -> dt.date | None:
    if day is None or options.dates == "keep":
        return day
    return day + dt.timedelta(days=days)


def deidentified_visit(visit: VisitReport, engine: Deidentifier) -> VisitReport:
    """What the parent's PDF shows: the same findings, nobody's identity."""
    days, options = engine.pseudonym.date_shift_days, engine.options
    signature = visit.signature
    if signature is not None:
        when = signature.signed_at
        if options.dates == "shift":
            when = when + dt.timedelta(days=days)
        signature = ReportSignature(engine.pseudonym.observer_name, when)
    return dataclasses.replace(
        visit,
        patient_id=engine.pseudonym.patient_id,
        patient_name=engine.pseudonym.patient_name,
        patient_sex=visit.patient_sex if options.retain_patient_characteristics else "",
        patient_birth_date=None,
        accession_number="",
        institution_name="",
        study_date=_shift(visit.study_date, days, options) or visit.study_date,
        prior_study_date=_shift(visit.prior_study_date, days, options),
        follow_up_date=_shift(visit.follow_up_date, days, options),
        impression=engine.identifiers.scrub(visit.impression),
        management=engine.identifiers.scrub(visit.management),
        signature=signature,
    )


def _encapsulate(ds: Dataset, pdf: bytes) -> None:
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.DocumentTitle = "Lung nodule CT report"
    ds.BurnedInAnnotation = "NO"  # rendered again from the de-identified report: no identifier


class _Writer:
    """Writes de-identified instances into a temporary folder and the manifest at the end."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary = target.with_name(target.name + ".partial")
        shutil.rmtree(self.temporary, ignore_errors=True)
        self.temporary.mkdir(parents=True)
        self.entries: list[dict[str, str]] = []

    def add(self, ds: Dataset) -> None:
        name = f"{len(self.entries) + 1:05d}.dcm"
        ds.save_as(self.temporary / name, enforce_file_format=True)
        self.entries.append(
            {
                "file": name,
                "sop_instance_uid": str(ds.SOPInstanceUID),
                "series_uid": str(ds.SeriesInstanceUID),
                "study_uid": str(ds.StudyInstanceUID),
            }
        )

    def finish(self, pseudonym: PatientPseudonym) -> Package:
        study_uids = {e["study_uid"] for e in self.entries}
        if len(study_uids) != 1:
            raise ValueError(f"a package holds one study, this one {len(study_uids)}")
        manifest = {"study_uid": study_uids.pop(), "instances": self.entries}
        (self.temporary / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(self.target, ignore_errors=True)
        self.temporary.replace(self.target)
        series = tuple(dict.fromkeys(e["series_uid"] for e in self.entries))
        return Package(self.target, manifest["study_uid"], series, len(self.entries), pseudonym)


def prepare_case_summary(
    visit: VisitReport,
    evidence: Sequence[Dataset],
    outputs: dict[str, Path],
    pseudonym: PatientPseudonym,
    settings: ParentCenterSettings,
    target: Path,
) -> Package:
    """The de-identified SR, PDF (re-rendered) and KOS of a signed visit, and the CT series too
    when the settings send it with every summary."""
    kinds = [kind for kind in ("sr", "encapsulated_pdf", "kos") if kind in outputs]
    sources = {kind: dcmread(outputs[kind]) for kind in kinds}  # a negative exam has no SR, KOS
    extra = [visit.patient_name, visit.patient_id, visit.accession_number, visit.institution_name]
    if visit.signature is not None:
        extra.append(visit.signature.radiologist)
    engine = engine_for(pseudonym, settings, [*evidence, *sources.values()], extra)
    writer = _Writer(target)
    created = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=_shift_days(engine))
    pdf_path = write_pdf_report(
        deidentified_visit(visit, engine), writer.temporary / "report.pdf", created_at=created
    )
    for kind, source in sources.items():
        out = engine.deidentify(source)
        if kind == "encapsulated_pdf":
            _encapsulate(out, pdf_path.read_bytes())
        writer.add(out)
    pdf_path.unlink()
    if settings.send == "summary_and_series":
        for path in visit.source_files:
            writer.add(engine.deidentify(dcmread(path)))
    return writer.finish(pseudonym)


def prepare_request(
    series_files: Sequence[Path],
    pseudonym: PatientPseudonym,
    settings: ParentCenterSettings,
    target: Path,
    kind: str,
    question: str,
    urgency: str,
    extra_identifiers: Sequence[str] = (),
) -> Package:
    """The de-identified source series and a KOS selecting it, whose description is the
    question (cleaned of the patient's identifiers) and its urgency."""
    headers = [dcmread(p, stop_before_pixels=True) for p in series_files]
    engine = engine_for(pseudonym, settings, headers, extra_identifiers)
    writer = _Writer(target)
    images = []
    for path in series_files:
        ds = engine.deidentify(dcmread(path))
        writer.add(ds)
        images.append(_header_only(ds))
    question = engine.identifiers.scrub(question)
    selection = hd.ko.KeyObjectSelection(
        document_title=REQUEST_TITLES[kind],
        referenced_objects=images,
        description=f"{kind} ({urgency}): {question}"[:1024],
    )
    kos = hd.ko.KeyObjectSelectionDocument(
        evidence=images,
        content=selection,
        series_instance_uid=engine.pseudonym.uid(f"{target.name}/series"),
        series_number=REQUEST_KOS_SERIES_NUMBER,
        sop_instance_uid=engine.pseudonym.uid(f"{target.name}/kos"),
        instance_number=1,
        manufacturer="NoduleDesk",
        specific_character_set="ISO_IR 192",
    )
    for keyword in DEIDENTIFICATION_KEYWORDS:
        if keyword in images[0]:
            setattr(kos, keyword, images[0].data_element(keyword).value)
    made = dt.datetime.now() + dt.timedelta(days=_shift_days(engine))
    kos.ContentDate, kos.ContentTime = made.strftime("%Y%m%d"), made.strftime("%H%M%S")
    writer.add(kos)
    return writer.finish(pseudonym)


def _shift_days(engine: Deidentifier) -> int:
    """New objects' own dates move with the patient's, or they would give the shift away."""
    return engine.pseudonym.date_shift_days if engine.options.dates == "shift" else 0


def _header_only(ds: Dataset) -> Dataset:
    header = Dataset()
    for element in ds:
        if element.keyword != "PixelData":
            header.add(element)
    header.file_meta = ds.file_meta
    return header
