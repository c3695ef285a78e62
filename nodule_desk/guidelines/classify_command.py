"""``python -m nodule_desk classify FINDINGS.json``: the guidelines' answer for a findings file."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nodule_desk.errors import FindingError, NoduleDeskError
from nodule_desk.guidelines import classify_findings
from nodule_desk.settings import load_settings


class FindingsFileError(NoduleDeskError):
    """The findings file cannot be read as JSON."""


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = args.findings
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FindingsFileError(f"{path}: cannot read ({error.strerror or error})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FindingsFileError(f"{path}: not valid JSON ({error})") from error
    try:
        return classify_findings(data, load_settings())
    except FindingError as error:
        raise FindingError(error.nodule_id, error.field, f"{error.reason} (in {path})") from error
