"""The panel's line about the measurement in progress or the one that failed: what is happening,
a busy bar with Cancel while it runs, and why it failed with the caliper offered instead."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from nodule_desk.errors import SegmentationError

# The segmenter says why in English; the user reads it in the interface language.
_SEGMENTATION_REASONS = (
    (
        "only aerated lung",
        QT_TRANSLATE_NOOP(
            "MeasureStatus", "Only aerated lung there: no nodule near the point you clicked."
        ),
    ),
    (
        "chest wall or mediastinum",
        QT_TRANSLATE_NOOP(
            "MeasureStatus", "The point lies on the chest wall or mediastinum, not on a nodule."
        ),
    ),
    ("not in the lung", QT_TRANSLATE_NOOP("MeasureStatus", "The point is not in the lung.")),
    ("outside the scan", QT_TRANSLATE_NOOP("MeasureStatus", "The point lies outside the scan.")),
    (
        "missing from the series",
        QT_TRANSLATE_NOOP(
            "MeasureStatus",
            "The nodule reaches slices missing from this series: no automatic volume across "
            "the gap.",
        ),
    ),
)


def segmentation_reason(error: SegmentationError) -> str:
    translate = QCoreApplication.translate
    text = str(error)
    for key, words in _SEGMENTATION_REASONS:
        if key in text:
            return translate("MeasureStatus", words)
    return translate(
        "MeasureStatus", "The nodule could not be outlined automatically (%1)."
    ).replace("%1", text)


class MeasureStatus(QWidget):
    cancel_requested = Signal()
    caliper_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MeasureStatus")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumHeight(12)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.caliper_button = QPushButton()
        self.caliper_button.clicked.connect(self.caliper_requested)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.caliper_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.retranslate_ui()
        self.clear()

    def retranslate_ui(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))
        self.caliper_button.setText(self.tr("Measure with the caliper (C)"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def clear(self) -> None:
        self.setVisible(False)
        self.text.clear()

    def show_running(self, count: int, note: str = "") -> None:
        self.text.setStyleSheet("")
        running = self.tr("Measuring %n nodule(s)…", "", count)
        self.text.setText(f"{running} {note}".strip())
        self.bar.setVisible(True)
        self.cancel_button.setVisible(True)
        self.caliper_button.setVisible(False)
        self.setVisible(True)

    def show_failure(self, reason: str, offer_caliper: bool) -> None:
        self.text.setStyleSheet("color: #ff6b6b;")
        self.text.setText(reason)
        self.bar.setVisible(False)
        self.cancel_button.setVisible(False)
        self.caliper_button.setVisible(offer_caliper)
        self.setVisible(True)

    def show_note(self, text: str) -> None:
        self.text.setStyleSheet("color: #8fd18f;")
        self.text.setText(text)
        self.bar.setVisible(False)
        self.cancel_button.setVisible(False)
        self.caliper_button.setVisible(False)
        self.setVisible(True)
