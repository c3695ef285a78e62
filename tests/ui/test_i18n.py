"""Translations: every ui/ string has a finished Chinese translation with the same placeholders,
the committed .ts files are current, and the built .qm files translate at run time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"
PLACEHOLDER = re.compile(r"%(?:n|L?\d+)")


def messages(ts_path: Path) -> list[tuple[str, str, ET.Element]]:
    tree = ET.parse(ts_path)
    return [(context.findtext("name"), message.findtext("source"), message)
            for context in tree.iter("context") for message in context.iter("message")]


def translations_of(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    forms = translation.findall("numerusform")
    return [f.text or "" for f in forms] if forms else [translation.text or ""]


def test_every_chinese_translation_is_finished_with_the_same_placeholders() -> None:
    found = messages(TRANSLATIONS / "nodule_desk_zh_CN.ts")
    assert len(found) > 30
    for context, source, message in found:
        translation = message.find("translation")
        assert translation.get("type") is None, f"{context}: unfinished: {source!r}"
        for text in translations_of(message):
            assert text.strip(), f"{context}: empty translation of {source!r}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                f"{context}: placeholders differ in {source!r} -> {text!r}")
            assert re.search(r"[\u4e00-\u9fff]", text), f"{context}: not Chinese: {text!r}"


def test_english_plural_forms_are_filled() -> None:
    for context, source, message in messages(TRANSLATIONS / "nodule_desk_en.ts"):
        forms = translations_of(message)
        assert len(forms) == 2 and all("%n" in f for f in forms), f"{context}: {source!r}"


def test_no_ui_string_lacks_a_chinese_translation(tmp_path: Path) -> None:
    """lupdate the current ui/ sources into a copy of the .ts: nothing new may appear."""
    ts = tmp_path / "check_zh_CN.ts"
    shutil.copy(TRANSLATIONS / "nodule_desk_zh_CN.ts", ts)
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run([str(LUPDATE), "-no-obsolete", "-locations", "none", *sources, "-ts", str(ts)],
                   check=True, capture_output=True, cwd=ROOT)
    untranslated = [f"{context}: {source!r}" for context, source, message in messages(ts)
                    if message.find("translation").get("type") == "unfinished"]
    assert not untranslated, (
        "strings without a Chinese translation (run scripts/update_translations.sh and translate "
        "them in resources/translations/nodule_desk_zh_CN.ts):\n" + "\n".join(untranslated))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_built_qm_files_are_current(language: str) -> None:
    ts = TRANSLATIONS / f"nodule_desk_{language}.ts"
    qm = TRANSLATIONS / f"nodule_desk_{language}.qm"
    assert qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime - 1


def test_chinese_translator_and_qt_own_strings_install() -> None:
    app = QApplication.instance()
    assert i18n.set_language(app, "zh_CN") == "zh_CN"
    assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    assert QCoreApplication.translate("Jobs", "Cannot read file %1: %2") == "无法读取文件 %1：%2"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("MainWindow", "%n slice(s) loaded", "", 3) == "已载入 3 层"
    i18n.set_language(app, "en")
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    assert QCoreApplication.translate("MainWindow", "%n slice(s) loaded", "", 1) == "1 slice loaded"
