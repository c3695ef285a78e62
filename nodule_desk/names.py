"""Patient names as people read them, from DICOM Person Name values (PS3.5 6.2).

A PN holds up to three groups separated by "=": alphabetic, ideographic, phonetic; each has
components separated by "^" (family, given, middle, prefix, suffix). Chinese names come as
"Zhang^Wei=张^伟": read in Chinese the ideographic form leads and has no space ("张伟").
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _group_text(group: str) -> str:
    components = [c.strip() for c in group.split("^") if c.strip()]
    if not components:
        return ""
    separator = "" if all(CJK.search(c) for c in components[:2]) else " "
    return separator.join(components[:2] + components[2:])


def display_name(dicom_name: str, language: str = "zh_CN") -> str:
    """"张伟 (Zhang Wei)" for Chinese readers, "Zhang Wei (张伟)" for English ones."""
    groups = [_group_text(g) for g in str(dicom_name or "").split("=")[:2]]
    alphabetic = groups[0] if groups else ""
    ideographic = groups[1] if len(groups) > 1 else ""
    if not ideographic:
        return alphabetic
    if not alphabetic:
        return ideographic
    first, second = (ideographic, alphabetic) if language == "zh_CN" else (alphabetic, ideographic)
    return f"{first} ({second})"
