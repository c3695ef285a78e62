"""HTTPS to the parent center is verified: against the configured CA file it works; without it,
or with only a CA-bundle environment variable pointing at the test CA (trust_env is off), the
connection is refused with a reason that says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodule_desk.settings import ParentCenterSettings
from nodule_desk.sync.dicomweb import ParentUnreachable
from nodule_desk.sync.service import check_connection
from tests.core.parent_orthanc import USER, Orthanc
from tests.core.tls_proxy import TlsProxy, make_test_ca

pytestmark = [pytest.mark.orthanc]


@pytest.fixture()
def https_parent(tmp_path: Path):
    ca, certificate, key = make_test_ca(tmp_path / "pki")
    orthanc = Orthanc(tmp_path / "orthanc").start()
    proxy = TlsProxy(orthanc.port, certificate, key).start()
    yield orthanc, proxy, ca
    proxy.stop()
    orthanc.stop()


def test_https_is_verified_against_the_configured_ca_file(https_parent, monkeypatch):
    orthanc, proxy, ca = https_parent
    settings = ParentCenterSettings(url=proxy.dicomweb_url, branch_id="BR01", username=USER)
    with pytest.raises(ParentUnreachable, match="certificate"):
        check_connection(settings, orthanc.password)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(ca))
    with pytest.raises(ParentUnreachable, match="certificate"):
        check_connection(settings, orthanc.password)  # the environment cannot change trust
    settings.ca_file = str(ca)
    assert "HTTP 200" in check_connection(settings, orthanc.password)
