"""The office's archive of signed pacts, indexed by pact id in SQLite, so a printed pact's QR code finds its original.

A province holds hundreds of thousands of pacts, so nothing here holds the archive in memory: a
sync walks the folder into a temporary table, lets SQLite work out which files are new, changed
(mtime or size) or gone, and verifies only those, with `verify_paths` over processes, a chunk at
a time, writing each chunk's rows before it verifies the next. Each row keeps what finding a pact
and listing it needs (path, mtime, size, pact id, status, signers); the page a person opens
verifies the file again, live, so a verdict shown is never older than the request.

A verdict depends on the trust roots and CRLs the server was started with, and on pakta's own
version: the index remembers a fingerprint of them and verifies everything again when it changes.

Files are found by walking the archive folder: `*.pdf` (any case), regular files only (a link is
not followed: the archive is what is in the folder), hidden folders skipped. Paths are stored
relative to the folder and only ever joined back onto it: no path from a request reaches here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pakta_cli import __version__
from pakta_cli.verify import Policy, Status, Verdict, verify_paths

CHUNK = 2000  # files verified between two commits
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pacts (
    path TEXT PRIMARY KEY,       -- relative to the archive folder, '/' between folders
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    pact_id TEXT,                -- NULL for a file that is not a readable pact
    status TEXT NOT NULL,        -- VALID | INCOMPLETE | FAIL under the server's trust
    signed INTEGER NOT NULL,     -- parties who signed
    required INTEGER NOT NULL,   -- parties the pact names
    signers TEXT NOT NULL        -- JSON: [{"name", "key_id", "time"}] in signing order
);
CREATE INDEX IF NOT EXISTS pacts_by_id ON pacts (pact_id);
"""
# which copy of a pact a QR code leads to when the archive holds several (a half-signed copy beside
# the finished one): the best verdict, then the most signatures, then the newest file
BEST_FIRST = ("CASE status WHEN 'VALID' THEN 0 WHEN 'INCOMPLETE' THEN 1 ELSE 2 END, signed DESC, "
              "mtime_ns DESC, path")


@dataclass(frozen=True)
class Entry:
    """One archived file as the index knows it."""

    path: str
    mtime_ns: int
    size: int
    pact_id: str | None
    status: Status
    signed: int
    required: int


@dataclass
class SyncState:
    """What the index is doing, for /healthz."""

    state: str = "starting"  # starting | indexing | ready | failed
    done: int = 0
    todo: int = 0
    pacts: int = 0
    synced_at: float | None = None
    error: str | None = None  # logged, never shown: it may name the server's folders

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "verified": self.done, "to_verify": self.todo, "files": self.pacts,
                "synced_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.synced_at))
                if self.synced_at else None}


@dataclass
class Archive:
    root: Path
    index: Path
    policy: Policy
    jobs: int = 1
    status: SyncState = field(default_factory=SyncState)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own (each thread and each request opens one), committed and closed after."""
        conn = sqlite3.connect(self.index, timeout=30)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def create(self) -> None:
        """The index file and its tables (WAL, so pages read while a sync writes)."""
        self.index.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)

    # -- finding ----------------------------------------------------------------------------------

    def lookup(self, pact_id: str) -> list[Entry]:
        """Every archived file of this pact, the one to show first (see BEST_FIRST)."""
        with self.connect() as conn:
            rows = conn.execute(f"SELECT path, mtime_ns, size, pact_id, status, signed, required FROM pacts "
                                f"WHERE pact_id = ? ORDER BY {BEST_FIRST} LIMIT 100", (pact_id,)).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], Status(r[4]), r[5], r[6]) for r in rows]

    def path_of(self, entry: Entry) -> Path:
        return self.root.joinpath(*entry.path.split("/"))

    def record(self, relative: str, info: os.stat_result, verdict: Verdict) -> None:
        """What a live verification found: the row for this file, as it is now."""
        with self.connect() as conn:
            conn.execute(UPSERT, _row(relative, info.st_mtime_ns, info.st_size, verdict))

    def forget(self, relative: str) -> None:
        """A file that is gone since the last sync."""
        with self.connect() as conn:
            conn.execute("DELETE FROM pacts WHERE path = ?", (relative,))

    def count(self) -> int:
        with self.connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM pacts").fetchone()[0])

    # -- keeping up with the folder ---------------------------------------------------------------

    def fingerprint(self) -> str:
        """What every stored verdict depends on besides the file: trust roots, CRLs, pakta's version, re-rendering."""
        from cryptography.hazmat.primitives.serialization import Encoding

        digest = hashlib.sha256(__version__.encode() + (b" reproduce" if self.policy.reproduce else b""))
        for der in sorted(self.policy.der(c) for c in self.policy.trust):
            digest.update(b"trust" + hashlib.sha256(der).digest())
        for der in sorted(self.policy.der(c) for c in self.policy.tsa_trust):
            digest.update(b"tsa" + hashlib.sha256(der).digest())
        for der in sorted(crl.public_bytes(Encoding.DER) for crl in self.policy.crls):
            digest.update(b"crl" + hashlib.sha256(der).digest())
        return digest.hexdigest()

    def sync(self, *, full: bool = False, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring the index up to the folder: verify new and changed files, drop gone ones.

        `full` verifies every file again. Returns how many files were verified.
        """
        self.create()
        self.status.state, self.status.done, self.status.todo = "indexing", 0, 0
        fingerprint = self.fingerprint()
        with self.connect() as conn:
            stored = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            full = full or stored is None or stored[0] != fingerprint
            conn.execute("CREATE TEMP TABLE walk (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER)")
            batch: list[tuple[str, int, int]] = []
            for found in self._walk():
                batch.append(found)
                if len(batch) >= CHUNK:
                    conn.executemany("INSERT OR IGNORE INTO walk VALUES (?, ?, ?)", batch)
                    batch.clear()
            conn.executemany("INSERT OR IGNORE INTO walk VALUES (?, ?, ?)", batch)
            conn.execute("DELETE FROM pacts WHERE path NOT IN (SELECT path FROM walk)")
            conn.execute("CREATE TEMP TABLE todo AS SELECT w.path, w.mtime_ns, w.size FROM walk w "
                         "LEFT JOIN pacts p ON p.path = w.path WHERE ? OR p.path IS NULL "
                         "OR p.mtime_ns != w.mtime_ns OR p.size != w.size ORDER BY w.path", (full,))
            conn.commit()
            total = int(conn.execute("SELECT COUNT(*) FROM todo").fetchone()[0])
            self.status.todo = total
            last = 0
            while True:
                chunk = conn.execute("SELECT rowid, path, mtime_ns, size FROM todo WHERE rowid > ? "
                                     "ORDER BY rowid LIMIT ?", (last, CHUNK)).fetchall()
                if not chunk:
                    break
                last = chunk[-1][0]
                paths = [self.root.joinpath(*path.split("/")) for _, path, _, _ in chunk]
                rows = [_row(chunk[index][1], chunk[index][2], chunk[index][3], verdict)
                        for index, verdict, _ in verify_paths(paths, self.policy, jobs=self.jobs)]
                conn.executemany(UPSERT, rows)
                conn.commit()
                self.status.done += len(rows)
                if progress:
                    progress(self.status.done, total)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            conn.execute("DROP TABLE walk")
            conn.execute("DROP TABLE todo")
            conn.commit()
            self.status.pacts = int(conn.execute("SELECT COUNT(*) FROM pacts").fetchone()[0])
        self.status.state, self.status.synced_at, self.status.error = "ready", time.time(), None
        return total

    def _walk(self) -> Iterator[tuple[str, int, int]]:
        """(relative path, mtime_ns, size) of every *.pdf regular file below the root, in a stable order."""
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            base = Path(folder).relative_to(self.root)
            for name in sorted(names):
                if not name.lower().endswith(".pdf"):
                    continue
                try:
                    info = os.lstat(os.path.join(folder, name))
                except OSError:  # gone between the listing and now
                    continue
                if stat.S_ISREG(info.st_mode):
                    yield (base / name).as_posix(), info.st_mtime_ns, info.st_size


def default_cache(archive: Path) -> Path:
    """Where an archive's index and page images go: outside the archive (it may be read-only), one per archive."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pakta" / "serve" / hashlib.sha256(str(archive.resolve()).encode()).hexdigest()[:16]


UPSERT = "INSERT OR REPLACE INTO pacts VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def _row(relative: str, mtime_ns: int, size: int, verdict: Verdict) -> tuple[Any, ...]:
    signers = [{"name": sig.signer, "key_id": sig.key_id,
                "time": sig.signing_time.isoformat() if sig.signing_time else None} for sig in verdict.signatures]
    signed = len({sig.field for sig in verdict.signatures if sig.party is not None})
    return (relative, mtime_ns, size, verdict.pact_id, verdict.status.value, signed, len(verdict.parties),
            json.dumps(signers, ensure_ascii=False))


class Indexer(threading.Thread):
    """Keeps the index up to the folder: a sync at start, then one every `interval` seconds (0: never)."""

    def __init__(self, archive: Archive, *, interval: float, full: bool,
                 log: Callable[[str], None] = lambda _: None) -> None:
        super().__init__(name="pakta-index", daemon=True)
        self.archive, self.interval, self.full, self.log = archive, interval, full, log
        self.stopping = threading.Event()

    def run(self) -> None:
        full = self.full
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                verified = self.archive.sync(full=full)
                self.log(f"archive indexed: {self.archive.status.pacts} files, {verified} verified "
                         f"in {time.monotonic() - started:.1f} s")
            except (OSError, sqlite3.Error) as exc:
                self.archive.status.state, self.archive.status.error = "failed", str(exc)
                self.log(f"archive index failed: {exc}")
            full = False
            if self.interval <= 0:
                return
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
