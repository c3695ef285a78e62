"""Send a case for consultation, or refer the patient, to the parent center: the question, the
urgency; the series goes with it, de-identified like everything that leaves the branch."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)


class ParentRequestDialog(QDialog):
    def __init__(self, kind: str, case_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParentRequestDialog")
        self.kind = kind
        title = (
            self.tr("Send for consultation")
            if kind == "consultation"
            else self.tr("Refer to the parent center")
        )
        self.setWindowTitle(title)
        self.question_edit = QPlainTextEdit()
        self.question_edit.setPlaceholderText(
            self.tr("What should the parent center's experts answer?")
        )
        self.urgency_combo = QComboBox()
        self.urgency_combo.addItem(self.tr("Routine"), "routine")
        self.urgency_combo.addItem(self.tr("Urgent"), "urgent")
        self.urgency_combo.addItem(self.tr("Emergency"), "emergency")
        note = QLabel(
            self.tr(
                "The CT series goes with it. Names, IDs and dates are removed or replaced first."
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Queue"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.question_edit.textChanged.connect(self._update_ok)
        form = QFormLayout(self)
        form.addRow(self.tr("Case"), QLabel(case_label))
        form.addRow(self.tr("Question"), self.question_edit)
        form.addRow(self.tr("Urgency"), self.urgency_combo)
        form.addRow(note)
        form.addRow(self.buttons)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.question_edit.toPlainText().strip()))

    def question(self) -> str:
        return self.question_edit.toPlainText().strip()

    def urgency(self) -> str:
        return str(self.urgency_combo.currentData())
