"""Lung-RADS v2022, Fleischner 2017 and the Chinese screening rules, table-driven.

``classify_findings(data)`` takes the classify contract (``{"exam": …, "nodules": […]}``) and
returns what ``python -m nodule_desk classify`` prints; ``applicable_guidelines`` is the one place
that decides which guideline leads for an exam (screening -> Lung-RADS, incidental -> Fleischner).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nodule_desk.guidelines import c_lung_rads, china_screening, fleischner, lung_rads
from nodule_desk.guidelines.findings import Exam, Finding, Findings, parse_findings

DEFAULT_CONTEXT = "screening"

__all__ = [
    "Exam",
    "Finding",
    "Findings",
    "GuidelineChoice",
    "applicable_guidelines",
    "classify",
    "classify_findings",
    "parse_findings",
]


@dataclass(frozen=True)
class GuidelineChoice:
    context: str
    primary: str
    """"lung_rads" for screening, "fleischner" for incidental findings (also when Fleischner
    excludes the patient: its answer then says plainly that it does not apply)."""
    reason: str
    applies: bool = True
    """False when no guideline NoduleDesk implements covers the exam (Fleischner excluded)."""


def _default_context(config: Any) -> str:
    if config is None:
        return DEFAULT_CONTEXT
    if isinstance(config, Mapping):
        return str(config.get("default_context") or DEFAULT_CONTEXT)
    return str(getattr(config, "default_context", None) or DEFAULT_CONTEXT)


def applicable_guidelines(exam: Exam, config: Any = None) -> GuidelineChoice:
    """Which guideline leads: the exam's context, else the site's ``default_context``.

    ``config`` is anything with ``default_context`` ("screening" or "incidental"): the site
    settings (nodule_desk.settings.SiteSettings) or a mapping.
    """
    context = exam.context or _default_context(config)
    if context == "screening":
        return GuidelineChoice(context, "lung_rads", "screening exam: Lung-RADS v2022")
    reason = fleischner.exclusion(exam)
    if reason is not None:
        return GuidelineChoice(
            context,
            "fleischner",
            f"incidental finding, but Fleischner 2017 does not apply ({reason}): no guideline "
            "here covers this patient; manage clinically (Lung-RADS is for screening and is "
            "given for reference only)",
            applies=False,
        )
    return GuidelineChoice(context, "fleischner", "incidental finding: Fleischner 2017")


def _lung_rads(exam: Exam, findings: Findings, context: str) -> dict[str, Any]:
    result = lung_rads.classify_exam(exam, findings.nodules)
    result["applicable"] = context == "screening"
    if context != "screening":
        result["reason"] = "Lung-RADS is for lung cancer screening; given for reference"
    return result


def classify(findings: Findings, config: Any = None) -> dict[str, Any]:
    choice = applicable_guidelines(findings.exam, config)
    exam = findings.exam
    if exam.context is None:
        exam = Exam(**{**exam.__dict__, "context": choice.context})
    positive = china_screening.screening_positive(exam, findings.nodules)
    return {
        "context": choice.context,
        "primary_guideline": choice.primary,
        "primary_reason": choice.reason,
        "primary_guideline_applies": choice.applies,
        "lung_rads": _lung_rads(exam, findings, choice.context),
        "fleischner": fleischner.classify_exam(exam, findings.nodules),
        "c_lung_rads": c_lung_rads.classify_exam(exam, findings.nodules),
        "screening_positive": positive["positive"],
        "screening_positive_detail": positive,
    }


def classify_findings(data: dict[str, Any], config: Any = None) -> dict[str, Any]:
    """The classify contract in, the classify answer out (the dict the CLI prints).

    Raises nodule_desk.errors.FindingError naming the nodule and field of a finding that
    cannot be classified.
    """
    return classify(parse_findings(data), config)
