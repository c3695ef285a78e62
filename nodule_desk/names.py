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
    """ "张伟 (Zhang Wei)" for Chinese readers, "Zhang Wei (张伟)" for English ones."""
    groups = [_group_text(g) for g in str(dicom_name or "").split("=")[:2]]
    alphabetic = groups[0] if groups else ""
    ideographic = groups[1] if len(groups) > 1 else ""
    if not ideographic:
        return alphabetic
    if not alphabetic:
        return ideographic
    first, second = (ideographic, alphabetic) if language == "zh_CN" else (alphabetic, ideographic)
    return f"{first} ({second})"


TITLES = {"dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms."}
CJK_TITLES = (
    "主任医师",
    "副主任医师",
    "主治医师",
    "住院医师",
    "医师",
    "医生",
    "教授",
    "主任",
    "大夫",
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "钟离",
    "端木",
    "西门",
    "南宫",
    "独孤",
)


def _cjk_person_name(text: str) -> str:
    """A Chinese name ("王芳" -> "=王^芳") goes in the ideographic group (PS3.5 6.2.1.2)."""
    title = next((t for t in CJK_TITLES if text.endswith(t) and len(text) > len(t)), "")
    name = text[: len(text) - len(title)] if title else text
    split = 2 if name.startswith(COMPOUND_SURNAMES) else 1
    components = [name[:split], name[split:]]
    if title:
        components += ["", title]
    return "=" + "^".join(components).rstrip("^")


def dicom_person_name(text: str) -> str:
    """A name as typed ("Dr Wang", "Wang, Fang", "John Smith", "王芳医生") as a DICOM PN value.

    A value that already has PN delimiters ("^" or "=") is kept. "Family, Given" is read as
    written; otherwise Latin names are read in Western order (given names, then the family name,
    as PS3.5 6.2's "Adams^John Robert Quincy"); titles such as "Dr" become the name prefix.
    """
    text = " ".join(str(text or "").split())
    if not text or "^" in text or "=" in text:
        return text
    if CJK.search(text) and " " not in text:
        return _cjk_person_name(text)
    family, given = text, ""
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    words = given.split() if given else family.split()
    prefix = [w for w in words if w.lower() in TITLES]
    words = [w for w in words if w.lower() not in TITLES]
    if not given and words:
        family, given = words[-1], " ".join(words[:-1])
    elif given:
        given = " ".join(words)
    return "^".join([family, given, "", " ".join(prefix)]).rstrip("^")
