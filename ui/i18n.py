"""Translators for the app's strings (resources/translations/nodule_desk_*.qm) and Qt's own.

The language is a QSettings value ``ui/language``: ``"system"`` (follow the locale), ``"zh_CN"`` or
``"en"``. ``set_language`` swaps translators at run time; widgets retranslate on LanguageChange.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
LANGUAGES = ("zh_CN", "en")
SETTINGS_KEY = "ui/language"

_installed: list[QTranslator] = []
_in_effect = ["en"]


def current_language() -> str:
    """The language the UI shows now ("zh_CN" or "en")."""
    return _in_effect[0]


def system_language() -> str:
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def configured_language(settings: QSettings | None = None) -> str:
    """The language to show: the saved choice, or the system's when none was made."""
    value = str((settings or QSettings()).value(SETTINGS_KEY, "system"))
    return value if value in LANGUAGES else system_language()


def set_language(app: QApplication, language: str) -> str:
    """Install the translators for ``language`` ("zh_CN" or "en"); returns the one in effect."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language not in LANGUAGES:
        language = system_language()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    sources = [(f"nodule_desk_{language}", str(TRANSLATIONS_DIR))]
    if language != "en":
        sources.append((f"qtbase_{language}", qt_dir))
    for name, directory in sources:
        translator = QTranslator(app)
        if translator.load(name, directory):
            app.installTranslator(translator)
            _installed.append(translator)
    _in_effect[0] = language
    return language
