"""Issue 14.3 / 17.6: importing from the UI shows what the CLI prints, file by file, and a series
with a missing slice, in a list the user can copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import write_sample_series
from tests.ui.test_main_window import make_window


def test_import_lists_each_skipped_file_and_the_gap_and_copies_them(qtbot, sample_store, tmp_path):  # noqa: ANN001
    folder = tmp_path / "usb"
    record = write_sample_series(folder, "ND0009", "ZHAO^LEI", dt.date(2026, 1, 5))
    sorted(record.files)[10].unlink()  # a slice lost on the way: a gap in the series
    (folder / "broken.dcm").write_bytes(b"DICM" + b"\x00" * 50)
    (folder / "notes.txt").write_text("not an image")
    window = make_window(qtbot, sample_store.store)
    job = window.import_folder(folder)
    with qtbot.waitSignal(job.signals.finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: window.import_problems is not None, timeout=5000)
    dialog = window.import_problems
    assert dialog.isVisible()
    rows = [
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
        for r in range(dialog.table.rowCount())
    ]
    places = [Path(where).name for where, _ in rows]
    assert "broken.dcm" in places
    assert any("missing slice" in reason for _, reason in rows)
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "broken.dcm\t" in copied and "missing slice" in copied
