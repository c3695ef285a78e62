"""ACR Lung-RADS v2022 assessment categories as data, to be read beside the published table.

Source: American College of Radiology, Lung-RADS v2022 (released November 2022), assessment
categories table; Christensen J et al., "ACR Lung-RADS v2022: Assessment Categories and Management
Recommendations", CHEST 2024;165(3):738-753.

Each size row is [lower, upper) in mm of the mean diameter (or of the solid component's mean
diameter), rounded to 0.1 mm. ``when`` is the table's wording: at baseline, new, or growing
(growth = mean diameter up by more than 1.5 mm within 12 months). A nodule that is neither new nor
growing on a follow-up exam is "stable" and goes through the stepped management in lung_rads.py.
"""

from __future__ import annotations

from dataclasses import dataclass

MEAN = "mean_diameter_mm"
SOLID = "solid_component_mean_diameter_mm"

CATEGORY_ORDER = ("1", "2", "3", "4A", "4B", "4X")
"""Least to most suspicious; the exam takes the most suspicious nodule's category."""

GROWTH_MM = "1.5"
"""Growth: mean diameter up by more than this within GROWTH_WINDOW_MONTHS (v2022 notes)."""
GROWTH_WINDOW_MONTHS = 12

JUXTAPLEURAL_BENIGN_BELOW_MM = 10
"""v2022: juxtapleural / perifissural solid nodules, smooth, oval / lentiform / triangular,
< 10 mm (524 mm3) mean diameter at baseline or new -> 2. The contract's location carries that
morphology. (Some secondary summaries write "<= 10 mm"; the v1.1 and v2022 tables say < 10.)"""


@dataclass(frozen=True)
class Row:
    category: str
    when: str
    bounds: tuple[tuple[str, float | None, float | None], ...]
    text: str
    unchecked: str | None = None
    """Why this cell is our reading rather than the table's words, if it is."""

    def matches(self, when: str, measures: dict[str, float | None]) -> bool:
        if when != self.when:
            return False
        for measure, lower, upper in self.bounds:
            value = measures.get(measure)
            if value is None:
                return False
            if lower is not None and value < lower:
                return False
            if upper is not None and value >= upper:
                return False
        return True


def _row(
    category: str, when: str, text: str, *bounds: tuple[str, float | None, float | None]
) -> Row:
    return Row(category, when, tuple(bounds), text)


SOLID_ROWS = (
    _row("2", "baseline", "solid < 6 mm at baseline", (MEAN, None, 6)),
    _row("3", "baseline", "solid >= 6 to < 8 mm at baseline", (MEAN, 6, 8)),
    _row("4A", "baseline", "solid >= 8 to < 15 mm at baseline", (MEAN, 8, 15)),
    _row("4B", "baseline", "solid >= 15 mm at baseline", (MEAN, 15, None)),
    _row("2", "new", "new solid < 4 mm", (MEAN, None, 4)),
    _row("3", "new", "new solid 4 to < 6 mm", (MEAN, 4, 6)),
    _row("4A", "new", "new solid 6 to < 8 mm", (MEAN, 6, 8)),
    _row("4B", "new", "new solid >= 8 mm", (MEAN, 8, None)),
    _row("4A", "growing", "growing solid < 8 mm", (MEAN, None, 8)),
    _row("4B", "growing", "growing solid >= 8 mm", (MEAN, 8, None)),
)

PART_SOLID_ROWS = (
    _row("2", "baseline", "part-solid < 6 mm total mean diameter at baseline", (MEAN, None, 6)),
    _row(
        "3",
        "baseline",
        "part-solid >= 6 mm total with solid component < 6 mm at baseline",
        (MEAN, 6, None),
        (SOLID, None, 6),
    ),
    _row(
        "4A",
        "baseline",
        "part-solid >= 6 mm total with solid component >= 6 to < 8 mm at baseline",
        (MEAN, 6, None),
        (SOLID, 6, 8),
    ),
    _row("4B", "baseline", "part-solid with solid component >= 8 mm at baseline", (SOLID, 8, None)),
    _row(
        "3",
        "new",
        "new part-solid < 6 mm total mean diameter (whatever its solid component)",
        (MEAN, None, 6),
    ),
    _row(
        "4A",
        "new",
        "new part-solid >= 6 mm total with solid component < 4 mm",
        (MEAN, 6, None),
        (SOLID, None, 4),
    ),
    _row(
        "4B",
        "new",
        "new part-solid >= 6 mm total with solid component >= 4 mm",
        (MEAN, 6, None),
        (SOLID, 4, None),
    ),
    Row(
        "4A",
        "growing",
        ((MEAN, None, 6), (SOLID, None, 4)),
        "growing part-solid < 6 mm total with solid component < 4 mm",
        unchecked="v2022's 4A part-solid cell 'New or growing < 4 mm solid component' names no "
        "total size, and the < 6 mm cells (2 at baseline, 3 new) say nothing of growth; read as "
        "4A, the higher of the cells that could apply.",
    ),
    _row(
        "4A",
        "growing",
        "growing part-solid >= 6 mm total with solid component < 4 mm",
        (MEAN, 6, None),
        (SOLID, None, 4),
    ),
    _row("4B", "growing", "growing part-solid with solid component >= 4 mm", (SOLID, 4, None)),
)

GROUND_GLASS_ROWS = (
    _row("2", "baseline", "non-solid (GGN) < 30 mm at baseline", (MEAN, None, 30)),
    _row("3", "baseline", "non-solid (GGN) >= 30 mm at baseline", (MEAN, 30, None)),
    _row("2", "new", "new non-solid (GGN) < 30 mm", (MEAN, None, 30)),
    _row("3", "new", "new non-solid (GGN) >= 30 mm", (MEAN, 30, None)),
    _row("2", "growing", "growing non-solid (GGN) < 30 mm", (MEAN, None, 30)),
    Row(
        "3",
        "growing",
        ((MEAN, 30, None),),
        "growing non-solid (GGN) >= 30 mm",
        unchecked="v2022 lists GGN >= 30 mm as 3 at baseline or new and as 2 when stable or "
        "slowly growing; it has no cell for one growing > 1.5 mm in 12 months. 3 is our reading "
        "of the size-threshold note.",
    ),
)

ROWS_BY_DENSITY = {
    "solid": SOLID_ROWS,
    "part_solid": PART_SOLID_ROWS,
    "ground_glass": GROUND_GLASS_ROWS,
}

STEPPED_DOWN = {"4A": "3", "3": "2"}
"""v2022 stepped management: a 4A nodule stable or decreased at its 3-month LDCT becomes 3, a 3
nodule stable or decreased at its 6-month LDCT becomes 2 (airway nodules excepted). 2 stays 2;
4B stays 4B (v2022 moves 4B to 2 only when proven benign after work-up)."""

# Management by category (v2022 table, "Management" column), English and Simplified Chinese.
# follow_up_months: the LDCT interval; None where the next step is not a scheduled LDCT.
ANNUAL = "Continue annual screening with LDCT in 12 months."
ANNUAL_ZH = "继续年度筛查：12 个月后低剂量 CT。"
MANAGEMENT = {
    "0": (
        "Comparison to prior chest CT and/or additional lung cancer screening CT imaging needed.",
        "需与既往胸部 CT 对比和/或补充肺癌筛查 CT 检查。",
        None,
    ),
    "0-infectious": (
        "LDCT in 1-3 months for findings suggesting an infectious or inflammatory process.",
        "提示感染或炎症性病变：1–3 个月后复查低剂量 CT。",
        1,
    ),
    "1": (
        "Continue annual screening with LDCT in 12 months.",
        "继续年度筛查：12 个月后低剂量 CT。",
        12,
    ),
    "2": (
        "Continue annual screening with LDCT in 12 months.",
        "继续年度筛查：12 个月后低剂量 CT。",
        12,
    ),
    "3": ("6-month LDCT.", "6 个月后复查低剂量 CT。", 6),
    "4A": (
        "3-month LDCT; PET/CT may be considered if there is a solid nodule or solid component "
        ">= 8 mm.",
        "3 个月后复查低剂量 CT；实性结节或实性成分 ≥ 8 mm 时可考虑 PET/CT。",
        3,
    ),
    "4B": (
        "Diagnostic chest CT with or without contrast; PET/CT may be considered if there is a "
        "solid nodule or solid component >= 8 mm; tissue sampling; and/or referral for further "
        "clinical evaluation.",
        "诊断性胸部 CT（平扫或增强）；实性结节或实性成分 ≥ 8 mm 时可考虑 PET/CT；"
        "组织取样；和/或转诊进一步临床评估。",
        None,
    ),
}
MANAGEMENT["4X"] = MANAGEMENT["4B"]

S_MODIFIER = (
    "S: clinically significant or potentially significant finding other than lung cancer; "
    "manage as appropriate.",
    "S：存在与肺癌无关的具有或可能具有临床意义的发现，请相应处理。",
)
