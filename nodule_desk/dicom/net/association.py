"""Opening an association with a remote node, and its failures in words naming the node."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from pynetdicom import AE
from pynetdicom.association import Association

from nodule_desk.dicom.net.nodes import RemoteNode
from nodule_desk.errors import NoduleDeskError

CONNECT_TIMEOUT_S = 10.0
DIMSE_TIMEOUT_S = 60.0


class DicomNetworkError(NoduleDeskError):
    """A remote node could not be reached, refused us, or answered with a failure."""

    def __init__(self, node: RemoteNode, reason: str) -> None:
        self.node_name = node.name
        self.reason = reason
        super().__init__(
            f"DICOM node {node.name!r} ({node.ae_title} at {node.host}:{node.port}): {reason}"
        )


@contextlib.contextmanager
def associate(ae: AE, node: RemoteNode, **kwargs: Any) -> Iterator[Association]:
    """An established association with ``node``, released at the end (aborted on error)."""
    ae.connection_timeout = CONNECT_TIMEOUT_S
    ae.acse_timeout = CONNECT_TIMEOUT_S
    ae.dimse_timeout = DIMSE_TIMEOUT_S
    ae.network_timeout = DIMSE_TIMEOUT_S
    assoc = ae.associate(node.host, node.port, ae_title=node.ae_title, **kwargs)
    if not assoc.is_established:
        raise DicomNetworkError(node, _why_not(assoc))
    try:
        yield assoc
    except BaseException:
        assoc.abort()
        raise
    else:
        assoc.release()


def _why_not(assoc: Association) -> str:
    if assoc.is_rejected:
        primitive = assoc.acceptor.primitive
        diagnostic = getattr(primitive, "diagnostic", None)
        reasons = {
            0x03: "it does not know our AE title (add this workstation to the PACS)",
            0x07: "the called AE title is wrong (check the node's AE title)",
        }
        return f"association rejected: {reasons.get(diagnostic, f'reason {diagnostic}')}"
    if assoc.is_aborted and assoc.acceptor.primitive is not None:
        return "the association was aborted by the node"
    return "no answer (is the node running, and are host and port right?)"


def check_final_status(node: RemoteNode, service: str, status: Any) -> None:
    """Raise when the last response of a C-FIND / C-MOVE / C-GET is not success or cancel."""
    if status is None or "Status" not in status:
        raise DicomNetworkError(node, f"{service}: no valid answer (timeout or aborted)")
    code = int(status.Status)
    if code in (0x0000, 0xFE00, 0xB000):
        return
    comment = str(status.get("ErrorComment", "") or "")
    raise DicomNetworkError(node, f"{service} failed with status 0x{code:04X} {comment}".strip())


def echo(node: RemoteNode, local_ae_title: str) -> float:
    """C-ECHO the node (the settings' Verify button); the round trip in seconds, or
    DicomNetworkError saying what failed."""
    from pynetdicom.sop_class import Verification

    ae = AE(ae_title=local_ae_title)
    ae.add_requested_context(Verification)
    started = time.monotonic()
    with associate(ae, node) as assoc:
        status = assoc.send_c_echo()
        if not status or int(status.Status) != 0x0000:
            raise DicomNetworkError(node, "C-ECHO: no success status")
    return time.monotonic() - started
