"""The C-STORE / C-ECHO SCP against real peers: Orthanc's own C-STORE SCU (the hospital PACS)
and dcmtk's storescu / echoscu (a CT scanner), all on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pydicom
import pytest

from nodule_desk.archive.files import PART_SUFFIX
from nodule_desk.dicom.load import load_series
from nodule_desk.dicom.net.nodes import RemoteNode
from nodule_desk.dicom.net.receiver import DicomReceiver, ReceiveEvent
from nodule_desk.store import Store
from tests.core.dicom_peers import (
    DESK_AE,
    ORTHANC_AE,
    desk_settings,
    free_port,
    running_orthanc,
    storescu,
    tiny_ct_series,
    wait_for_port,
)

REPO = Path(__file__).resolve().parents[2]
SCANNER_AE = "CT_ROOM_2"


@pytest.fixture
def receiver(tmp_path: Path):
    db = tmp_path / "desk" / "store.sqlite"
    settings = desk_settings(
        db, free_port(), [RemoteNode("CT room 2", SCANNER_AE, "127.0.0.1", 104)]
    )
    events: list[ReceiveEvent] = []
    node = DicomReceiver(db, settings, on_event=events.append)
    node.events = events  # type: ignore[attr-defined]
    node.start()
    yield node
    node.close()


def _archive_files(db: Path) -> list[Path]:
    return sorted((db.parent / "archive").rglob("*.dcm"))


def test_a_series_pushed_by_orthanc_arrives_complete_and_sorted(tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    port = free_port()
    settings = desk_settings(db, port, [RemoteNode("PACS", ORTHANC_AE, "127.0.0.1", 1)])
    identity, files = tiny_ct_series(tmp_path / "ct", 12)
    with running_orthanc(tmp_path / "orthanc", {"desk": [DESK_AE, "127.0.0.1", port]}) as pacs:
        random.Random(3).shuffle(files)  # Orthanc sends in its own order, not slice order
        pacs.upload(files)
        node = DicomReceiver(db, settings)
        node.start()
        try:
            reply = pacs.push("desk", pacs.studies())
            node.wait_idle()
        finally:
            node.close()
    assert reply["InstancesCount"] == 12 and reply["FailedInstancesCount"] == 0
    with Store.open(db) as store:
        (series,) = store.series_of_study(identity.study_uid)
        assert (series.series_uid, series.n_slices) == (identity.series_uid, 12)
        assert series.spacing_mm[2] == pytest.approx(1.25)
        paths = store.series_files(series.id)
        assert all(p.is_relative_to(db.parent / "archive") for p in paths)
        assert store.count_archived_instances() == 12
    volume = load_series(paths)
    assert [int(volume.hu[k, 0, 0]) for k in range(12)] == list(range(12)), "sorted along z"


def test_storescu_from_an_unknown_ae_title_is_refused_and_logged(receiver, tmp_path, caplog):
    _, files = tiny_ct_series(tmp_path / "ct", 2)
    with caplog.at_level(logging.WARNING, logger="nodule_desk.dicom.net.receiver"):
        done = storescu(receiver.port, files, calling_ae="INTRUDER")
    assert done.returncode != 0
    assert "calling ae title not recognized" in (done.stdout + done.stderr).lower()
    assert any("INTRUDER" in r.getMessage() for r in caplog.records)
    assert [e.kind for e in receiver.events] == ["refused"]
    assert receiver.events[0].calling_ae == "INTRUDER"
    assert _archive_files(receiver.db_path) == []


def test_echoscu_from_a_configured_node_is_answered(receiver):
    done = subprocess.run(
        ["echoscu", "-aet", SCANNER_AE, "-aec", DESK_AE, "127.0.0.1", str(receiver.port)],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr


def _cutting_relay(target_port: int, forward_bytes: int) -> tuple[int, threading.Thread]:
    """A TCP relay that passes the caller's first ``forward_bytes`` on, then cuts both sides, as
    a network cable pulled in the middle of a transfer."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)

    def relay() -> None:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", target_port))
        sent = 0

        def answers() -> None:
            try:
                while data := server.recv(65536):
                    client.sendall(data)
            except OSError:
                pass

        threading.Thread(target=answers, daemon=True).start()
        try:
            while sent < forward_bytes and (data := client.recv(4096)):
                data = data[: forward_bytes - sent]
                server.sendall(data)
                sent += len(data)
        finally:
            for end in (server, client):
                try:  # close() alone leaves the fd open while `answers` blocks in recv: no FIN
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            for end in (server, client, listener):
                end.close()

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


def test_a_transfer_cut_in_the_middle_leaves_no_half_instance_and_a_resend_completes(
    receiver, tmp_path
):
    identity, files = tiny_ct_series(tmp_path / "ct", 6, size=64)
    size = files[0].stat().st_size
    relay_port, relay = _cutting_relay(receiver.port, forward_bytes=int(size * 2.5))
    cut = storescu(relay_port, files, SCANNER_AE)
    relay.join(30)
    assert cut.returncode != 0, "the cut transfer fails on the scanner's side"
    receiver.wait_idle()
    partial = _archive_files(receiver.db_path)
    assert 1 <= len(partial) < 6
    originals = {str(d.SOPInstanceUID): d for d in map(pydicom.dcmread, files)}
    for path in partial:  # every archived instance is whole: the full image of an original
        copy = pydicom.dcmread(path)
        assert copy.PixelData == originals[str(copy.SOPInstanceUID)].PixelData
    assert not list((receiver.db_path.parent / "archive").rglob(f"*{PART_SUFFIX}"))

    again = storescu(receiver.port, files, SCANNER_AE)
    assert again.returncode == 0, again.stderr
    receiver.wait_idle()
    receiver.wait_idle()
    with Store.open(receiver.db_path) as store:
        (series,) = store.series_of_study(identity.study_uid)
        assert series.n_slices == 6
        assert store.count_archived_instances() == 6
        stored = [pydicom.dcmread(p) for p in store.series_files(series.id)]
    assert [d.SOPInstanceUID for d in stored] == list(originals), "all six, in slice order"


@pytest.mark.slow
def test_a_thousand_instances_in_one_association_are_all_stored_once(receiver, tmp_path):
    identity, files = tiny_ct_series(tmp_path / "ct", 1000, size=2)
    done = storescu(receiver.port, files, SCANNER_AE)
    assert done.returncode == 0, done.stderr[-2000:]
    again = storescu(receiver.port, files[:100], SCANNER_AE)  # a re-send of the first hundred
    assert again.returncode == 0
    receiver.wait_idle()
    receiver.wait_idle()
    with Store.open(receiver.db_path) as store:
        assert store.count_archived_instances() == 1000
        (series,) = store.series_of_study(identity.study_uid)
        assert series.n_slices == 1000
    assert len(_archive_files(receiver.db_path)) == 1000
    stored = [e for e in receiver.events if e.kind == "stored"]
    assert len(stored) == 1100
    assert sum(e.detail == "already stored" for e in stored) == 100


def test_serve_command_receives_until_terminated_and_prints_a_summary(tmp_path):
    db = tmp_path / "desk" / "store.sqlite"
    port = free_port()
    desk_settings(db, port, [RemoteNode("CT room 2", SCANNER_AE, "127.0.0.1", 104)])
    _, files = tiny_ct_series(tmp_path / "ct", 3)
    serve = subprocess.Popen(
        [sys.executable, "-m", "nodule_desk", "serve", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        wait_for_port(port, timeout_s=30)
        assert storescu(port, files, SCANNER_AE).returncode == 0
        refused = storescu(port, files[:1], "INTRUDER")
        assert refused.returncode != 0
    finally:
        serve.send_signal(signal.SIGTERM)
        out, err = serve.communicate(timeout=30)
    assert serve.returncode == 0, err
    summary = json.loads(out)
    assert summary["instances_stored"] == 3 and summary["associations_refused"] == 1
    assert summary["series"][0]["n_slices"] == 3
    assert "INTRUDER" in err


def test_saving_the_site_settings_keeps_the_dicom_node_settings(tmp_path):
    from nodule_desk.dicom.net.nodes import load_node_settings
    from nodule_desk.settings import load_settings, save_settings, settings_path

    db = tmp_path / "store.sqlite"
    desk_settings(db, 11112, [RemoteNode("PACS", "PACS_AE", "127.0.0.1", 104)])
    site = load_settings(settings_path(db))
    site.institution_name = "Xian County Hospital"
    save_settings(site, settings_path(db))
    assert load_node_settings(db).nodes == [RemoteNode("PACS", "PACS_AE", "127.0.0.1", 104)]
    assert load_settings(settings_path(db)).institution_name == "Xian County Hospital"
