"""A small DICOMweb client for the parent center: STOW-RS, QIDO-RS, WADO-RS (PS3.18).

It fails fast and says why: a short connect timeout, no retry inside the HTTP client (the outbox
decides when to try again), ``trust_env`` off so that proxy or CA-bundle variables cannot redirect
or weaken it, and HTTPS verified against the system's CAs or the configured CA file. STOW bodies
are streamed from the files with a known length, so memory stays flat whatever the series' size.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from nodule_desk.errors import NoduleDeskError
from nodule_desk.settings import ParentCenterSettings

DICOM_PART = "application/dicom"
FAILED_SOP_SEQUENCE = "00081198"
FAILURE_REASON = "00081197"
REFERENCED_SOP_INSTANCE_UID = "00081155"


class ParentCenterError(NoduleDeskError):
    """Talking to the parent center failed; ``retryable`` says whether trying later can help."""

    retryable = True

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ParentUnreachable(ParentCenterError):
    """No answer at all: refused, timed out, cut, TLS failure. The server may be down."""


class ParentAuthError(ParentCenterError):
    """401/403: the user name or password is wrong (fix the settings; the item stays queued)."""


class ParentRejected(ParentCenterError):
    """The parent answered with an error about the objects themselves: retrying cannot help."""

    retryable = False


@dataclass(frozen=True)
class StowResult:
    stored: int
    failed: list[str]


class _MultipartBody:
    """multipart/related body read from files part by part; ``len`` is known in advance.

    A plain object with ``read`` and ``__len__`` (no ``tell``, no ``__iter__``): requests then
    sends a Content-Length and http.client reads it in blocks."""

    def __init__(self, files: Sequence[Path], boundary: str) -> None:
        self._pieces: list[bytes | Path] = []
        for path in files:
            self._pieces.append(
                f"--{boundary}\r\nContent-Type: {DICOM_PART}\r\n\r\n".encode("ascii")
            )
            self._pieces.append(path)
            self._pieces.append(b"\r\n")
        self._pieces.append(f"--{boundary}--\r\n".encode("ascii"))
        self.length = sum(p.stat().st_size if isinstance(p, Path) else len(p) for p in self._pieces)
        self._index = 0
        self._current: io.BufferedReader | io.BytesIO | None = None

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes, filled across parts: one small write per part boundary would
        meet Nagle's algorithm and the peer's delayed ACK on every request."""
        size = 1 << 16 if size is None or size < 0 else size
        chunks: list[bytes] = []
        wanted = size
        while wanted > 0 and self._index < len(self._pieces):
            if self._current is None:
                piece = self._pieces[self._index]
                self._current = piece.open("rb") if isinstance(piece, Path) else io.BytesIO(piece)
            chunk = self._current.read(wanted)
            if chunk:
                chunks.append(chunk)
                wanted -= len(chunk)
                continue
            self._current.close()
            self._current = None
            self._index += 1
        return b"".join(chunks)

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None


class DicomWebClient:
    """One parent center. ``password`` comes from the keyring or the environment, never a file."""

    def __init__(self, settings: ParentCenterSettings, password: str | None) -> None:
        if not settings.url:
            raise NoduleDeskError("no parent center is configured (parent_center.url is empty)")
        self.root = settings.url.rstrip("/")
        self.timeout = (settings.connect_timeout_s, settings.read_timeout_s)
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = settings.ca_file or True
        if settings.username:
            self.session.auth = (settings.username, password or "")
        no_retry = HTTPAdapter(max_retries=Retry(total=0, redirect=False, raise_on_status=False))
        self.session.mount("http://", no_retry)
        self.session.mount("https://", no_retry)

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.root}/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.RequestException as error:
            raise ParentUnreachable(f"{self.root}: {_why(error, self.timeout)}") from error
        if response.status_code in (401, 403):
            raise ParentAuthError(
                f"{self.root}: HTTP {response.status_code}, the user name or password is wrong"
            )
        return response

    def _check(self, response: requests.Response, what: str) -> None:
        if response.status_code < 400:
            return
        detail = response.text.strip().replace("\n", " ")[:200]
        reason = f"{what}: HTTP {response.status_code} {response.reason} {detail}".strip()
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise ParentCenterError(reason)
        raise ParentRejected(reason)

    def test_connection(self) -> str:
        """Raise why the parent center cannot be used, or say what answered."""
        response = self._request("GET", "studies", params={"limit": 1})
        self._check(response, "QIDO-RS test query")
        return f"{self.root}: DICOMweb answered (HTTP {response.status_code})"

    def store(self, files: Sequence[Path], study_uid: str | None = None) -> StowResult:
        """STOW-RS the files in one request; an instance already stored counts as stored."""
        boundary = f"nodule-desk-{secrets.token_hex(12)}"
        body = _MultipartBody(files, boundary)
        headers = {
            "Content-Type": f'multipart/related; type="{DICOM_PART}"; boundary={boundary}',
            "Accept": "application/dicom+json",
            "Content-Length": str(len(body)),
        }
        path = f"studies/{study_uid}" if study_uid else "studies"
        try:
            response = self._request("POST", path, data=body, headers=headers)
        finally:
            body.close()
        self._check(response, f"STOW-RS of {len(files)} instances")
        failed = _failed_sops(response)
        if failed:
            raise ParentRejected(f"STOW-RS: the parent refused {len(failed)}: {'; '.join(failed)}")
        return StowResult(stored=len(files), failed=[])

    def search(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """QIDO-RS: the DICOM JSON of each match."""
        response = self._request(
            "GET", path, params=params, headers={"Accept": "application/dicom+json"}
        )
        self._check(response, f"QIDO-RS {path}")
        if response.status_code == 204 or not response.content:
            return []
        return list(response.json())

    def retrieve(self, study_uid: str, series_uid: str, sop_instance_uid: str) -> bytes:
        """WADO-RS one instance as a DICOM file (the single part of the multipart answer)."""
        path = f"studies/{study_uid}/series/{series_uid}/instances/{sop_instance_uid}"
        accept = f'multipart/related; type="{DICOM_PART}"; transfer-syntax=*'
        response = self._request("GET", path, headers={"Accept": accept})
        self._check(response, f"WADO-RS {sop_instance_uid}")
        parts = list(multipart_parts(response.content, response.headers.get("Content-Type", "")))
        if len(parts) != 1:
            raise ParentCenterError(f"WADO-RS {sop_instance_uid}: {len(parts)} parts, expected 1")
        return parts[0]


def _why(error: requests.exceptions.RequestException, timeout: tuple[float, float]) -> str:
    if isinstance(error, requests.exceptions.SSLError):
        return f"the HTTPS certificate check failed ({error})"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout[0]} s"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return f"no answer within {timeout[1]} s"
    if isinstance(error, requests.exceptions.ConnectionError):
        return f"the connection failed or was cut ({error})"
    return str(error)


def _failed_sops(response: requests.Response) -> list[str]:
    try:
        answer = response.json() if response.content else {}
    except (ValueError, json.JSONDecodeError):
        return []
    failures = []
    for item in (answer.get(FAILED_SOP_SEQUENCE) or {}).get("Value", []):
        uid = (item.get(REFERENCED_SOP_INSTANCE_UID) or {}).get("Value", ["?"])[0]
        reason = (item.get(FAILURE_REASON) or {}).get("Value", ["?"])[0]
        failures.append(f"{uid} (failure reason {reason})")
    return failures


def multipart_parts(body: bytes, content_type: str) -> Iterable[bytes]:
    """The bodies of a multipart/related message (RFC 2387), headers stripped."""
    boundary = next(
        (
            p.split("=", 1)[1].strip().strip('"')
            for p in content_type.split(";")
            if p.strip().lower().startswith("boundary=")
        ),
        None,
    )
    if not boundary:
        raise ParentCenterError(f"the answer is not multipart (Content-Type {content_type!r})")
    delimiter = b"--" + boundary.encode("ascii")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        yield content[:-2] if content.endswith(b"\r\n") else content
