"""Opening the SQLite file, transactions, the audit log, and SQLite failures as StoreError."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from nodule_desk.errors import StoreError

BUSY_TIMEOUT_S = 10.0

Params = Sequence[object] | dict[str, object]

_CAUSES = (
    ("readonly", "the file is read-only (check its permissions and the folder's)"),
    ("database or disk is full", "the disk is full"),
    ("database is locked", "another program holds the store locked"),
    ("database table is locked", "another connection holds a table locked"),
    ("file is not a database", "the file is not a NoduleDesk store or is corrupt"),
    ("malformed", "the file is corrupt"),
    ("disk i/o error", "the disk reported an input/output error"),
    ("unable to open", "the file cannot be opened (missing folder or no permission)"),
)


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def store_error(path: Path, error: BaseException) -> StoreError:
    """A StoreError that names the file and says in words what went wrong."""
    message = str(error)
    cause = next((words for key, words in _CAUSES if key in message.lower()), message)
    if cause != message:
        cause = f"{cause} [{message}]"
    result = StoreError(f"store {path}: {cause}")
    result.__cause__ = error
    return result


F = TypeVar("F", bound=Callable[..., Any])


def translated(method: F) -> F:
    """Re-raise SQLite and OS failures of a Store method as StoreError naming the file."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as error:
            raise store_error(self.path, error) from error

    return wrapper  # type: ignore[return-value]


def connect(path: Path) -> sqlite_utils.Database:
    """Open ``path`` with foreign keys and a busy timeout, changing nothing in the file yet."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    try:
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return db


def use_wal(db: sqlite_utils.Database) -> None:
    """WAL lets the UI read while an import writes; it is a property of the file, kept on disk."""
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot switch to WAL journal mode (got {mode})")
    db.execute("PRAGMA synchronous = NORMAL")


class StoreBase:
    """What every part of the Store shares: the file, the connection, the user, the audit log.

    A Store belongs to the thread that opened it (sqlite3's rule); a worker thread opens its own
    Store on the same file, and WAL lets readers and one writer proceed together.
    """

    def __init__(self, path: Path, db: sqlite_utils.Database, user: str) -> None:
        self.path = path
        self.db = db
        self.user = user

    @staticmethod
    def default_user() -> str:
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "unknown"

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All-or-nothing writes. The outermost level takes the write lock at once (BEGIN
        IMMEDIATE), so a concurrent writer waits on the busy timeout instead of failing mid-way."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def audit(
        self, action: str, entity: str, entity_id: int | None, user: str, **detail: object
    ) -> None:
        self.db.execute(
            "INSERT INTO audit_log (at, user, action, entity, entity_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (now_utc(), user, action, entity, entity_id, json.dumps(detail, ensure_ascii=False)),
        )

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        return next(iter(self.db.query(sql, params)), None)

    def query_all(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))
