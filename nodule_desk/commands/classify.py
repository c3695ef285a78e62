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


def _not_json(constant: str) -> float:
    """NaN and Infinity are not JSON (RFC 8259 section 6), though Python's parser takes them."""
    raise ValueError(f"{constant} is not a JSON number")


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = args.findings
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except OSError as error:
        raise FindingsFileError(f"{path}: cannot read ({error.strerror or error})") from error
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
        raise FindingsFileError(f"{path}: not valid JSON ({error})") from error
    except RecursionError as error:
        raise FindingsFileError(f"{path}: not valid findings (nested too deeply)") from error
    try:
        return classify_findings(data, load_settings())
    except FindingError as error:
        raise FindingError(error.nodule_id, error.field, f"{error.reason} (in {path})") from error
