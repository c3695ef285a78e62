"""The parent center grown past one machine: two Orthanc nodes on one PostgreSQL index and
storage (Debian orthanc-postgresql). A summary sent to one node is found by QIDO-RS on the other
and comes back from it through WADO-RS as it was sent."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pydicom import dcmread

from nodule_desk.settings import load_settings
from nodule_desk.sync.dicomweb import DicomWebClient
from tests.core.parent_orthanc import POSTGRESQL_PLUGINS, Orthanc
from tests.core.parent_postgres import Postgres
from tests.core.sync_fixtures import Visit, point_at, run_sync
from tests.core.test_sync_parent_center import (  # noqa: F401  (fixtures)
    branch,
    package_files,
    signed_template,
)

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]


@pytest.fixture()
def two_nodes(tmp_path: Path):
    assert all(p.exists() for p in POSTGRESQL_PLUGINS), "make test installs orthanc-postgresql"
    database = Postgres().start()
    nodes = []
    try:
        for name in ("a", "b"):
            node = Orthanc(
                tmp_path / name, extra=database.orthanc_config(), plugins=POSTGRESQL_PLUGINS
            )
            nodes.append(node.start())
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        database.stop()


def test_a_summary_sent_to_one_node_is_found_on_the_other(branch: Visit, two_nodes):  # noqa: F811
    node_a, node_b = two_nodes
    assert node_a.rest("GET", "/system").json()["DatabaseBackendPlugin"]
    point_at(branch.db, node_a.dicomweb_url)
    code, result, stderr = run_sync(branch.db, node_a.password)
    assert code == 0, stderr
    sent = [dcmread(p) for p in package_files(branch)]
    study_uid = str(sent[0].StudyInstanceUID)
    parent = load_settings(branch.db.parent / "settings.json").parent_center
    parent.url = node_b.dicomweb_url
    client = DicomWebClient(parent, node_b.password)
    try:
        found = client.search("studies", {"StudyInstanceUID": study_uid})
        assert [s["0020000D"]["Value"][0] for s in found] == [study_uid]
        for local in sent:
            back = client.retrieve(study_uid, local.SeriesInstanceUID, local.SOPInstanceUID)
            assert dcmread(BytesIO(back)) == local
    finally:
        client.close()
