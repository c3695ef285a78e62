"""``python -m ui.app`` / ``nodule-desk-gui``: the workstation on the store in the data dir."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from nodule_desk.store import Store
from ui import i18n, theme

ORGANIZATION = "NoduleDesk"
APPLICATION = "NoduleDesk"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with our names (for QSettings), font, dark theme and translators."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setOrganizationDomain("nodule-desk.org")
    QCoreApplication.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    app = QApplication.instance() or QApplication(list(argv or sys.argv))
    configure_application(app)
    return app


def configure_application(app: QApplication) -> None:
    theme.apply_font(app)
    theme.apply_dark_theme(app)
    i18n.set_language(app, i18n.configured_language())


def main(argv: Sequence[str] | None = None) -> int:
    app = create_application(argv)
    from ui.main_window import MainWindow

    db = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].endswith(".sqlite") else None
    with Store.open(db) as store:
        window = MainWindow(store)
        window.show()
        return app.exec()


if __name__ == "__main__":
    sys.exit(main())
