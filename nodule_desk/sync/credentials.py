"""The parent center's password: in the system keyring, else NODULE_DESK_PARENT_PASSWORD.

Never in settings.json. A headless server or CI has no keyring backend (keyring then raises or
offers only its "fail" backend): the environment variable is the way there.
"""

from __future__ import annotations

import os

import keyring
import keyring.errors

from nodule_desk.settings import ParentCenterSettings

KEYRING_SERVICE = "NoduleDesk parent center"
PASSWORD_ENV = "NODULE_DESK_PARENT_PASSWORD"


def _account(settings: ParentCenterSettings) -> str:
    return f"{settings.username}@{settings.url}"


def parent_password(settings: ParentCenterSettings) -> str | None:
    """The password for ``settings.username`` at ``settings.url``, or None if none is set."""
    try:
        stored = keyring.get_password(KEYRING_SERVICE, _account(settings))
    except (keyring.errors.KeyringError, RuntimeError, OSError):
        stored = None
    return stored if stored else os.environ.get(PASSWORD_ENV) or None


def save_parent_password(settings: ParentCenterSettings, password: str) -> bool:
    """Keep the password in the keyring; False when there is no usable keyring backend."""
    try:
        keyring.set_password(KEYRING_SERVICE, _account(settings), password)
    except (keyring.errors.KeyringError, RuntimeError, OSError):
        return False
    return True
