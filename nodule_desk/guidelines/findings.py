"""Finding records parsed and checked from the classify contract (``exam`` + ``nodules``).

All input checks of the contract live here: a finding that a guideline cannot classify raises
FindingError naming the nodule (or ``exam``) and the field. Sizes are kept as given; each
guideline rounds them its own way (see ``round_mm``): Lung-RADS v2022 reports the mean diameter
to 0.1 mm, Fleischner 2017 rounds the average diameter to 1 mm. Rounding works on the decimal
string of the number, half up, so 5.95 mm is 6.0 and never 5.9.

A nodule's solid component comes as ``solid_component_mean_diameter_mm`` and / or
``solid_component_long_axis_mm`` (``solid_component_mm`` is the legacy name of the mean). Its
history is ``prior`` (the most recent earlier measurement) and ``priors`` (all of them, oldest
first); ``Finding.history`` is the merged, dated list the guidelines compare against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
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


def _shown(value: Any) -> str:
    """A given value for an error message: its repr, cut short (a 10 kB string stays readable)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def round_mm(value: Decimal | float | int, step: str) -> Decimal:
    """``value`` rounded half up to ``step`` ("0.1" or "1"), from its decimal string."""
    return Decimal(str(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


LUNG_RADS_CATEGORIES = ("1", "2", "3", "4A", "4B", "4X")
LARGEST_DIAMETER_MM = 500
LARGEST_VOLUME_MM3 = 100_000_000
"""Sizes above these are not measurements of a lung finding (and would overflow rounding)."""
SCREENING_ROUNDS = ("baseline", "annual")


@dataclass(frozen=True)
class PriorFinding:
    """One earlier measurement of a nodule (the ``prior`` or an entry of ``priors``)."""

    mean_diameter_mm: Decimal
    solid_component_mean_diameter_mm: Decimal | None
    density_type: str
    lung_rads_category: str | None = None
    """The category the report of that exam gave this nodule, when known (stepped management)."""
    exam_date: dt.date | None = None
    long_axis_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None
    volume_mm3: float | None = None
    solid_component_long_axis_mm: Decimal | None = None

    @property
    def solid_component_mm(self) -> Decimal | None:
        """Legacy name of the solid component's mean diameter."""
        return self.solid_component_mean_diameter_mm


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
    solid_component_mean_diameter_mm: Decimal | None
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
    solid_component_long_axis_mm: Decimal | None = None
    priors: tuple[PriorFinding, ...] = ()
    """Every earlier measurement, oldest first; the last one is ``prior``."""

    @property
    def solid_component_mm(self) -> Decimal | None:
        """Legacy name of the solid component's mean diameter."""
        return self.solid_component_mean_diameter_mm

    @property
    def benign(self) -> bool:
        return self.calcification == "benign" or self.fat_containing

    @property
    def subsolid(self) -> bool:
        return self.density_type in ("part_solid", "ground_glass")

    @property
    def history(self) -> tuple[PriorFinding, ...]:
        """Earlier measurements oldest first (``priors``, ending with ``prior``)."""
        return self.priors


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
    screening_round: str | None = None
    """"baseline" or "annual" as given; ``round`` says which applies."""
    baseline_exam_date: dt.date | None = None
    """The patient's first screening CT, when known: a nodule first measured later was new then."""

    @property
    def baseline(self) -> bool:
        return self.prior_exam_date is None

    @property
    def round(self) -> str:
        """The screening round: as given, else "baseline" without a prior exam, else "annual"."""
        if self.screening_round is not None:
            return self.screening_round
        return "baseline" if self.baseline else "annual"


@dataclass(frozen=True)
class Findings:
    exam: Exam
    nodules: list[Finding] = field(default_factory=list)


def _mm(nodule_id: str, name: str, value: Any) -> Decimal | None:
    """A size (mm, or mm3 for volumes) as a Decimal of its decimal string; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FindingError(nodule_id, name, f"not a number: {_shown(value)}")
    try:
        size = Decimal(str(value))
    except InvalidOperation as error:
        raise FindingError(nodule_id, name, f"not a number: {_shown(value)}") from error
    if not size.is_finite() or size < 0:
        raise FindingError(nodule_id, name, f"not a size in mm: {_shown(value)}")
    largest = LARGEST_VOLUME_MM3 if name.endswith("mm3") else LARGEST_DIAMETER_MM
    if size > largest:
        raise FindingError(nodule_id, name, f"{_shown(value)} is larger than a chest ({largest})")
    return size


def _choice(nodule_id: str, name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FindingError(nodule_id, name, f"{_shown(value)} is not one of {', '.join(allowed)}")
    return str(value)


def _flag(nodule_id: str, name: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FindingError(nodule_id, name, f"expected true or false, got {_shown(value)}")
    return value


def _date(name: str, value: Any, required: bool, nodule_id: str = EXAM_ID) -> dt.date | None:
    if value is None and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise FindingError(nodule_id, name, f"not a date (YYYY-MM-DD): {_shown(value)}") from error


def _mean_diameter(nodule_id: str, raw: dict[str, Any], prefix: str = "") -> Decimal:
    given = _mm(nodule_id, f"{prefix}mean_diameter_mm", raw.get("mean_diameter_mm"))
    if given is not None:
        return given
    long_axis = _mm(nodule_id, f"{prefix}long_axis_mm", raw.get("long_axis_mm"))
    short_axis = _mm(nodule_id, f"{prefix}short_axis_mm", raw.get("short_axis_mm"))
    if long_axis is None or short_axis is None:
        raise FindingError(
            nodule_id,
            f"{prefix}mean_diameter_mm",
            "missing, and the long and short axes not both given",
        )
    return (long_axis + short_axis) / 2


def _solid_component(
    nodule_id: str, raw: dict[str, Any], density: str, prefix: str = ""
) -> tuple[Decimal | None, Decimal | None]:
    """(mean diameter, long axis) of the solid component; ``solid_component_mm`` is the legacy
    name of the mean diameter. A part-solid nodule needs at least one of them."""
    name = f"{prefix}solid_component_mean_diameter_mm"
    mean = _mm(nodule_id, name, raw.get("solid_component_mean_diameter_mm"))
    legacy = _mm(nodule_id, f"{prefix}solid_component_mm", raw.get("solid_component_mm"))
    if mean is None:
        mean = legacy
    elif legacy is not None and legacy != mean:
        raise FindingError(
            nodule_id, f"{prefix}solid_component_mm", f"differs from {name} (legacy name of it)"
        )
    long_axis = _mm(
        nodule_id,
        f"{prefix}solid_component_long_axis_mm",
        raw.get("solid_component_long_axis_mm"),
    )
    if density == "part_solid" and mean is None and long_axis is None:
        what = "part-solid prior" if prefix else "part-solid nodule"
        raise FindingError(
            nodule_id, name, f"missing for a {what} (or give solid_component_long_axis_mm)"
        )
    if mean is not None and long_axis is not None and long_axis < mean - Decimal("0.1"):
        raise FindingError(
            nodule_id, f"{prefix}solid_component_long_axis_mm", "shorter than the mean diameter"
        )
    return mean, long_axis


def _prior(
    nodule_id: str, raw: Any, name: str = "prior", in_list: bool = False
) -> PriorFinding | None:
    if raw is None and not in_list:
        return None
    if not isinstance(raw, dict):
        raise FindingError(nodule_id, name, "expected an object" + ("" if in_list else " or null"))
    prefix = f"{name}."
    density = _choice(nodule_id, f"{prefix}density_type", raw.get("density_type"), DENSITY_TYPES)
    mean = _mean_diameter(nodule_id, raw, prefix)
    solid_mean, solid_long = _solid_component(nodule_id, raw, density, prefix)
    category = raw.get("lung_rads_category")
    if category is not None:
        category = _choice(
            nodule_id, f"{prefix}lung_rads_category", str(category).upper(), LUNG_RADS_CATEGORIES
        )
    volume = _mm(nodule_id, f"{prefix}volume_mm3", raw.get("volume_mm3"))
    return PriorFinding(
        mean_diameter_mm=mean,
        solid_component_mean_diameter_mm=solid_mean,
        density_type=density,
        lung_rads_category=category,
        exam_date=_date(f"{prefix}exam_date", raw.get("exam_date"), False, nodule_id),
        long_axis_mm=_mm(nodule_id, f"{prefix}long_axis_mm", raw.get("long_axis_mm")),
        short_axis_mm=_mm(nodule_id, f"{prefix}short_axis_mm", raw.get("short_axis_mm")),
        volume_mm3=None if volume is None else float(volume),
        solid_component_long_axis_mm=solid_long,
    )


def _priors(nodule_id: str, raw: Any) -> list[PriorFinding]:
    """``priors``, oldest first. An entry's ``exam_date`` may be null (a study without a date);
    the dated ones must not go back in time."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise FindingError(nodule_id, "priors", "expected a list of earlier measurements")
    priors = [_prior(nodule_id, item, f"priors[{i}]", in_list=True) for i, item in enumerate(raw)]
    latest: dt.date | None = None
    for i, prior in enumerate(priors):
        date = prior.exam_date if prior is not None else None
        if date is not None and latest is not None and date < latest:
            raise FindingError(
                nodule_id, f"priors[{i}].exam_date", "earlier than the one before (oldest first)"
            )
        latest = date or latest
    return [p for p in priors if p is not None]


def _check_dates(
    nodule_id: str, prior: PriorFinding | None, priors: list[PriorFinding], exam: Exam
) -> None:
    named = [(f"priors[{i}].exam_date", p) for i, p in enumerate(priors)]
    for name, earlier in [*named, ("prior.exam_date", prior)]:
        if earlier is not None and earlier.exam_date is not None and earlier.exam_date > exam.date:
            raise FindingError(nodule_id, name, "after the exam date")


def _history(
    nodule_id: str, prior: PriorFinding | None, priors: list[PriorFinding], exam: Exam | None
) -> tuple[PriorFinding | None, tuple[PriorFinding, ...]]:
    """The nodule's earlier measurements oldest first, ending with ``prior``.

    ``prior`` is the last of ``priors`` when it has no date or the same one (its
    ``lung_rads_category`` is kept); a later ``prior`` is appended. The most recent measurement
    without a date is dated by the exam's ``prior_exam_date``."""
    if exam is not None:
        _check_dates(nodule_id, prior, priors, exam)
    history = list(priors)
    if prior is not None and history and prior.exam_date in (None, history[-1].exam_date):
        last = history[-1]
        if last.lung_rads_category is None and prior.lung_rads_category is not None:
            last = replace(last, lung_rads_category=prior.lung_rads_category)
        history[-1] = last
    elif prior is not None:
        dated = [p.exam_date for p in history if p.exam_date is not None]
        if dated and prior.exam_date is not None and prior.exam_date < dated[-1]:
            raise FindingError(nodule_id, "prior.exam_date", "earlier than the last of priors")
        history.append(prior)
    if history and history[-1].exam_date is None and exam is not None:
        history[-1] = replace(history[-1], exam_date=exam.prior_exam_date)
    return (history[-1] if history else None), tuple(history)


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
        raise FindingError(
            nodule_id, "malignancy_probability", f"not a probability: {_shown(value)}"
        )
    return float(value)


def parse_finding(raw: Any, index: int, exam: Exam | None = None) -> Finding:
    """One nodule of the contract; ``index`` names it when it has no id. With ``exam``, its
    prior is dated by the exam's ``prior_exam_date`` when it carries no ``exam_date``."""
    if not isinstance(raw, dict):
        raise FindingError(f"#{index + 1}", "nodules", "each nodule must be an object")
    nodule_id = str(raw.get("id") or f"#{index + 1}")
    density = _choice(nodule_id, "density_type", raw.get("density_type"), DENSITY_TYPES)
    location = _choice(nodule_id, "location", raw.get("location", "parenchymal"), LOCATIONS)
    airway_level = None
    if location == "airway":
        airway_level = _choice(nodule_id, "airway_level", raw.get("airway_level"), AIRWAY_LEVELS)
    solid_mean, solid_long = _solid_component(nodule_id, raw, density)
    features = raw.get("suspicious_features") or ()
    if isinstance(features, bool):
        features = ("additional suspicious features",) if features else ()
    if not isinstance(features, (list, tuple)):
        raise FindingError(nodule_id, "suspicious_features", "expected a list of words or true")
    volume = _mm(nodule_id, "volume_mm3", raw.get("volume_mm3"))
    prior, priors = _history(
        nodule_id, _prior(nodule_id, raw.get("prior")), _priors(nodule_id, raw.get("priors")), exam
    )
    return Finding(
        id=nodule_id,
        density_type=density,
        mean_diameter_mm=_mean_diameter(nodule_id, raw),
        solid_component_mean_diameter_mm=solid_mean,
        solid_component_long_axis_mm=solid_long,
        location=location,
        airway_level=airway_level,
        calcification=_choice(
            nodule_id, "calcification", raw.get("calcification", "none"), CALCIFICATIONS
        ),
        fat_containing=_flag(nodule_id, "fat_containing", raw.get("fat_containing")),
        long_axis_mm=_mm(nodule_id, "long_axis_mm", raw.get("long_axis_mm")),
        short_axis_mm=_mm(nodule_id, "short_axis_mm", raw.get("short_axis_mm")),
        volume_mm3=None if volume is None else float(volume),
        prior=prior,
        priors=priors,
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
        raise FindingError(EXAM_ID, "patient_age", f"not an age in years: {_shown(age)}")
    incomplete = raw.get("incomplete")
    if incomplete is not None:
        incomplete = _choice(EXAM_ID, "incomplete", incomplete, INCOMPLETE_REASONS)
    screening_round = raw.get("screening_round")
    if screening_round is not None:
        screening_round = _choice(EXAM_ID, "screening_round", screening_round, SCREENING_ROUNDS)
    others = raw.get("significant_other_findings") or ()
    if isinstance(others, bool):
        others = ("significant finding other than lung cancer",) if others else ()
    if not isinstance(others, (list, tuple)):
        raise FindingError(EXAM_ID, "significant_other_findings", "expected a list or true")
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
        screening_round=screening_round,
        baseline_exam_date=_date(
            "baseline_exam_date", raw.get("baseline_exam_date"), required=False
        ),
    )
    if exam.prior_exam_date is not None and exam.prior_exam_date > exam.date:
        raise FindingError(EXAM_ID, "prior_exam_date", "later than the exam date")
    if exam.baseline_exam_date is not None and exam.baseline_exam_date > exam.date:
        raise FindingError(EXAM_ID, "baseline_exam_date", "later than the exam date")
    return exam


def _check_against_exam(nodule: Finding, exam: Exam) -> None:
    if nodule.history and exam.baseline:
        field_name = "prior" if nodule.prior is not None else "priors"
        raise FindingError(
            nodule.id, field_name, "a prior measurement on a baseline exam (prior_exam_date null)"
        )
    if nodule.slow_growing and exam.baseline:
        raise FindingError(
            nodule.id, "slow_growing", "slow growth needs earlier exams; this is a baseline"
        )


def parse_findings(data: Any) -> Findings:
    """The classify contract's ``{"exam": …, "nodules": […]}`` as checked records."""
    if not isinstance(data, dict):
        raise FindingError(EXAM_ID, "findings", "expected an object with 'exam' and 'nodules'")
    exam = parse_exam(data.get("exam"))
    raw_nodules = data.get("nodules", [])
    if not isinstance(raw_nodules, list):
        raise FindingError(EXAM_ID, "nodules", "expected a list")
    nodules = [parse_finding(raw, i, exam) for i, raw in enumerate(raw_nodules)]
    for nodule in nodules:
        _check_against_exam(nodule, exam)
    ids = [n.id for n in nodules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FindingError(duplicates[0], "id", "used by more than one nodule")
    return Findings(exam, nodules)
