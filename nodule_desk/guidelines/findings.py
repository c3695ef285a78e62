"""Finding records parsed and checked from the classify contract (``exam`` + ``nodules``).

A finding that a guideline cannot classify raises FindingError naming the nodule and the field.
Sizes are kept as given; each guideline rounds them its own way (see ``round_mm``): Lung-RADS
v2022 reports the mean diameter to 0.1 mm, Fleischner 2017 rounds the average diameter to 1 mm.
Rounding works on the decimal string of the number, half up, so 5.95 mm is 6.0 and never 5.9.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from nodule_desk.errors import FindingError

DENSITY_TYPES = ("solid", "part_solid", "ground_glass", "cyst")
LOCATIONS = ("parenchymal", "perifissural", "juxtapleural", "airway")
AIRWAY_LEVELS = ("subsegmental", "segmental_or_proximal")
CALCIFICATIONS = ("none", "benign")
CONTEXTS = ("screening", "incidental")
CYST_WALLS = ("thin", "thick")
CYST_CHANGES = (
    "growing_cystic_component",
    "became_multilocular",
    "growing_wall_or_nodularity",
    "growing_multilocular",
    "increased_loculation_or_opacity",
)
INCOMPLETE_REASONS = ("prior_being_located", "lungs_not_evaluable", "infectious_inflammatory")
EXAM_ID = "exam"


def round_mm(value: Decimal | float | int, step: str) -> Decimal:
    """``value`` rounded half up to ``step`` ("0.1" or "1"), from its decimal string."""
    return Decimal(str(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


LUNG_RADS_CATEGORIES = ("1", "2", "3", "4A", "4B", "4X")


@dataclass(frozen=True)
class PriorFinding:
    mean_diameter_mm: Decimal
    solid_component_mm: Decimal | None
    density_type: str
    lung_rads_category: str | None = None
    """The category the prior exam gave this nodule, when known (drives stepped management)."""


@dataclass(frozen=True)
class Cyst:
    """An atypical pulmonary cyst (Lung-RADS v2022): wall, loculation and change since the prior."""

    wall: str
    multilocular: bool
    change: str | None


@dataclass(frozen=True)
class Finding:
    """One nodule as the guidelines read it. Diameters are unrounded, in mm."""

    id: str
    density_type: str
    mean_diameter_mm: Decimal
    solid_component_mm: Decimal | None
    location: str = "parenchymal"
    airway_level: str | None = None
    calcification: str = "none"
    fat_containing: bool = False
    long_axis_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None
    volume_mm3: float | None = None
    prior: PriorFinding | None = None
    slow_growing: bool = False
    suspicious_features: tuple[str, ...] = ()
    malignancy_probability: float | None = None
    cyst: Cyst | None = None

    @property
    def benign(self) -> bool:
        return self.calcification == "benign" or self.fat_containing

    @property
    def subsolid(self) -> bool:
        return self.density_type in ("part_solid", "ground_glass")


@dataclass(frozen=True)
class Exam:
    date: dt.date
    context: str | None
    prior_exam_date: dt.date | None
    patient_age: int | None = None
    high_risk: bool | None = None
    known_cancer: bool = False
    immunocompromised: bool = False
    incomplete: str | None = None
    significant_other_findings: tuple[str, ...] = ()

    @property
    def baseline(self) -> bool:
        return self.prior_exam_date is None


@dataclass(frozen=True)
class Findings:
    exam: Exam
    nodules: list[Finding] = field(default_factory=list)


def _mm(nodule_id: str, name: str, value: Any) -> Decimal | None:
    """A size (mm, or mm3 for volumes) as a Decimal of its decimal string; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FindingError(nodule_id, name, f"not a number: {value!r}")
    try:
        size = Decimal(str(value))
    except InvalidOperation as error:
        raise FindingError(nodule_id, name, f"not a number: {value!r}") from error
    if not size.is_finite() or size < 0:
        raise FindingError(nodule_id, name, f"not a size in mm: {value!r}")
    return size


def _choice(nodule_id: str, name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FindingError(nodule_id, name, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _flag(nodule_id: str, name: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FindingError(nodule_id, name, f"expected true or false, got {value!r}")
    return value


def _date(name: str, value: Any, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise FindingError(EXAM_ID, name, f"not a date (YYYY-MM-DD): {value!r}") from error


def _mean_diameter(nodule_id: str, raw: dict[str, Any]) -> Decimal:
    given = _mm(nodule_id, "mean_diameter_mm", raw.get("mean_diameter_mm"))
    if given is not None:
        return given
    long_axis = _mm(nodule_id, "long_axis_mm", raw.get("long_axis_mm"))
    short_axis = _mm(nodule_id, "short_axis_mm", raw.get("short_axis_mm"))
    if long_axis is None or short_axis is None:
        raise FindingError(
            nodule_id,
            "mean_diameter_mm",
            "missing, and the long and short axes not both given",
        )
    return (long_axis + short_axis) / 2


def _prior(nodule_id: str, raw: Any) -> PriorFinding | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FindingError(nodule_id, "prior", "expected an object or null")
    density = _choice(nodule_id, "prior.density_type", raw.get("density_type"), DENSITY_TYPES)
    mean = _mm(nodule_id, "prior.mean_diameter_mm", raw.get("mean_diameter_mm"))
    if mean is None:
        long_axis = _mm(nodule_id, "prior.long_axis_mm", raw.get("long_axis_mm"))
        short_axis = _mm(nodule_id, "prior.short_axis_mm", raw.get("short_axis_mm"))
        if long_axis is None or short_axis is None:
            raise FindingError(nodule_id, "prior.mean_diameter_mm", "missing: a size is needed")
        mean = (long_axis + short_axis) / 2
    solid = _mm(nodule_id, "prior.solid_component_mm", raw.get("solid_component_mm"))
    if density == "part_solid" and solid is None:
        raise FindingError(nodule_id, "prior.solid_component_mm", "missing for a part-solid prior")
    category = raw.get("lung_rads_category")
    if category is not None:
        category = _choice(
            nodule_id, "prior.lung_rads_category", str(category).upper(), LUNG_RADS_CATEGORIES
        )
    return PriorFinding(mean, solid, density, category)


def _cyst(nodule_id: str, raw: dict[str, Any]) -> Cyst | None:
    value = raw.get("cyst")
    if raw.get("density_type") != "cyst":
        return None
    if not isinstance(value, dict):
        raise FindingError(nodule_id, "cyst", "an atypical cyst needs {wall, multilocular, change}")
    change = value.get("change")
    return Cyst(
        wall=_choice(nodule_id, "cyst.wall", value.get("wall"), CYST_WALLS),
        multilocular=_flag(nodule_id, "cyst.multilocular", value.get("multilocular")),
        change=None if change is None else _choice(nodule_id, "cyst.change", change, CYST_CHANGES),
    )


def _probability(nodule_id: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise FindingError(nodule_id, "malignancy_probability", f"not a probability: {value!r}")
    return float(value)


def parse_finding(raw: Any, index: int) -> Finding:
    """One nodule of the contract; ``index`` names it when it has no id."""
    if not isinstance(raw, dict):
        raise FindingError(f"#{index + 1}", "nodules", "each nodule must be an object")
    nodule_id = str(raw.get("id") or f"#{index + 1}")
    density = _choice(nodule_id, "density_type", raw.get("density_type"), DENSITY_TYPES)
    location = _choice(nodule_id, "location", raw.get("location", "parenchymal"), LOCATIONS)
    airway_level = None
    if location == "airway":
        airway_level = _choice(nodule_id, "airway_level", raw.get("airway_level"), AIRWAY_LEVELS)
    solid = _mm(nodule_id, "solid_component_mm", raw.get("solid_component_mm"))
    if density == "part_solid" and solid is None:
        raise FindingError(nodule_id, "solid_component_mm", "missing for a part-solid nodule")
    features = raw.get("suspicious_features") or ()
    if isinstance(features, bool):
        features = ("additional suspicious features",) if features else ()
    volume = _mm(nodule_id, "volume_mm3", raw.get("volume_mm3"))
    return Finding(
        id=nodule_id,
        density_type=density,
        mean_diameter_mm=_mean_diameter(nodule_id, raw),
        solid_component_mm=solid,
        location=location,
        airway_level=airway_level,
        calcification=_choice(
            nodule_id, "calcification", raw.get("calcification", "none"), CALCIFICATIONS
        ),
        fat_containing=_flag(nodule_id, "fat_containing", raw.get("fat_containing")),
        long_axis_mm=_mm(nodule_id, "long_axis_mm", raw.get("long_axis_mm")),
        short_axis_mm=_mm(nodule_id, "short_axis_mm", raw.get("short_axis_mm")),
        volume_mm3=None if volume is None else float(volume),
        prior=_prior(nodule_id, raw.get("prior")),
        slow_growing=_flag(nodule_id, "slow_growing", raw.get("slow_growing")),
        suspicious_features=tuple(str(f) for f in features),
        malignancy_probability=_probability(nodule_id, raw.get("malignancy_probability")),
        cyst=_cyst(nodule_id, raw),
    )


def _optional_flag(name: str, value: Any) -> bool | None:
    return None if value is None else _flag(EXAM_ID, name, value)


def parse_exam(raw: Any) -> Exam:
    if not isinstance(raw, dict):
        raise FindingError(EXAM_ID, "exam", "missing: an object with at least the exam date")
    context = raw.get("context")
    if context is not None:
        context = _choice(EXAM_ID, "context", context, CONTEXTS)
    age = raw.get("patient_age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 0):
        raise FindingError(EXAM_ID, "patient_age", f"not an age in years: {age!r}")
    incomplete = raw.get("incomplete")
    if incomplete is not None:
        incomplete = _choice(EXAM_ID, "incomplete", incomplete, INCOMPLETE_REASONS)
    others = raw.get("significant_other_findings") or ()
    if isinstance(others, bool):
        others = ("significant finding other than lung cancer",) if others else ()
    exam = Exam(
        date=_date("date", raw.get("date"), required=True),  # type: ignore[arg-type]
        context=context,
        prior_exam_date=_date("prior_exam_date", raw.get("prior_exam_date"), required=False),
        patient_age=age,
        high_risk=_optional_flag("high_risk", raw.get("high_risk")),
        known_cancer=_flag(EXAM_ID, "known_cancer", raw.get("known_cancer")),
        immunocompromised=_flag(EXAM_ID, "immunocompromised", raw.get("immunocompromised")),
        incomplete=incomplete,
        significant_other_findings=tuple(str(o) for o in others),
    )
    if exam.prior_exam_date is not None and exam.prior_exam_date > exam.date:
        raise FindingError(EXAM_ID, "prior_exam_date", "later than the exam date")
    return exam


def parse_findings(data: Any) -> Findings:
    """The classify contract's ``{"exam": …, "nodules": […]}`` as checked records."""
    if not isinstance(data, dict):
        raise FindingError(EXAM_ID, "findings", "expected an object with 'exam' and 'nodules'")
    exam = parse_exam(data.get("exam"))
    raw_nodules = data.get("nodules", [])
    if not isinstance(raw_nodules, list):
        raise FindingError(EXAM_ID, "nodules", "expected a list")
    nodules = [parse_finding(raw, i) for i, raw in enumerate(raw_nodules)]
    for nodule in nodules:
        if nodule.prior is not None and exam.baseline:
            raise FindingError(
                nodule.id, "prior", "a prior measurement on a baseline exam (prior_exam_date null)"
            )
        if nodule.slow_growing and exam.baseline:
            raise FindingError(
                nodule.id, "slow_growing", "slow growth needs earlier exams; this is a baseline"
            )
    ids = [n.id for n in nodules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FindingError(duplicates[0], "id", "used by more than one nodule")
    return Findings(exam, nodules)
