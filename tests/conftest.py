"""Fixtures shared by every test: nothing touches the user's data, settings or display."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Software OpenGL everywhere, so VTK renders the same under Xvfb on every machine.
os.environ.setdefault("LIBGL_ALWAYS_SOFTWARE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own data dir and Qt settings, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NODULE_DESK_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    # the parent center's password: never the user's keyring in a test
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.delenv("NODULE_DESK_PARENT_PASSWORD", raising=False)
    return home


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and other outputs a person may want to look at after a run."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
