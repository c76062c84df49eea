"""The parse cache in VAULT/.lpvault/: an unchanged note is never read or parsed again.

Signed files (see sealed.py for why pickle, and why that is safe), each opening
with the environment it was made in: cache format, lpvault version and code,
Python version, configuration. A file from another environment is ignored whole.

- `notes-N.pickle`: per note, its stamp (size, mtime_ns), a digest of its bytes
  and its pickled Analysis. Read only when some note changed.
- `state-N.pickle`: the stamps of every note, the other files and the output
  folder as the last run saw them, under an id that changes with the vault's
  content. Small: a run on an unchanged vault reads nothing else, and imports
  neither mistune nor Jinja2.
- `memo-N-*.pickle`: one result worked out from the vault (the index as written,
  a lint run's findings), tagged with the state id it holds for.

Stamps can lie ("racily clean", in git's words): a note saved twice within the
file system's timestamp granularity, with the same size, keeps its stamp. A
stamp is trusted only when the note was older than RACY_SECONDS when it was
read; a younger one is re-read and its digest compared. A note whose stamp
changed but whose bytes did not (touch, git checkout) costs a read, not a parse.
"""
from __future__ import annotations

import gc
import itertools
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from lpvault import __version__, sealed
from lpvault.config import Config
from lpvault.scan import NoteFile, ScanResult, read_note

FORMAT = 1
CACHE_DIR = ".lpvault"
NOTES_FILE = f"notes-{FORMAT}.pickle"
STATE_FILE = f"state-{FORMAT}.pickle"
RACY_SECONDS = 3
_PACKAGE = Path(__file__).resolve().parent

class Entry(NamedTuple):
    """One note as cached: its stamp, the digest of its bytes, its pickled Analysis."""

    size: int
    mtime_ns: int
    digest: bytes | None  # None: the note could not be read
    trusted: bool  # the stamp was old enough, when read, to vouch for the bytes
    blob: bytes


@dataclass
class State:
    """The vault as the last run saw it; `ident` names its content (memos are tagged with it)."""

    stamps: dict[str, tuple[int, int]]  # path -> size, mtime_ns of every note
    digests: dict[str, bytes | None]  # path -> digest of its bytes (None: it could not be read)
    untrusted: frozenset[str]  # notes whose stamps were too young to vouch for their bytes
    others: tuple[str, ...]
    outputs: tuple[str, ...]  # the notes in the output folder (links may point at them)
    ident: str = ""


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while records pile up. Each full collection walks every
    object made so far, and the records loaded or made here hold no cycles (reference
    counting frees them): on 10,000 notes the collector cost twice the unpickling it interrupted."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def digest(data: bytes) -> bytes:
    """The digest a note's bytes are compared by."""
    return blake2b(data, digest_size=16).digest()


def code_stamp() -> str:
    """Names, sizes and mtimes of lpvault's own modules and templates: new code, new cache."""
    stamp = blake2b(digest_size=16)
    for folder, dirs, files in sorted(os.walk(_PACKAGE)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(f for f in files if f.endswith((".py", ".j2"))):
            info = os.stat(os.path.join(folder, name))
            stamp.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return stamp.hexdigest()


def environment(config: Config) -> tuple[Any, ...]:
    """What every cache file must have been made under to be used at all."""
    return (FORMAT, __version__, code_stamp(), sys.version_info[:2], config.fingerprint())


class ParseCache:
    """One vault's cache under one configuration: loaded lazily, saved atomically."""

    def __init__(self, root: Path, config: Config, key: bytes) -> None:
        self.folder, self.key, self.config = root / CACHE_DIR, key, config
        self.env = environment(config)
        self.started_ns = time.time_ns()
        self.fresh: dict[str, Entry] = {}  # every note of this run, as it is now
        self.current = False  # the state describes the vault as it is now
        self._entries: dict[str, Entry] | None = None
        self._state: State | None = None
        self._state_loaded = False
        self._notes: sealed.Writer | None = None  # the notes file being written
        self._read_only = False

    @classmethod
    def open(cls, root: Path, config: Config) -> ParseCache | None:
        """The vault's cache, or None when there can be none: no key, or a `.lpvault`
        that is a symlink (it could lead the writes out of the vault)."""
        if os.path.islink(root / CACHE_DIR):
            return None
        key = sealed.user_key()
        return cls(root, config, key) if key is not None else None

    def _load(self, name: str) -> Iterator[Any]:
        """The objects of a cache file after its environment; nothing if unusable."""
        objects = sealed.read(self.folder / name, self.key)
        try:
            if objects is not None and next(objects) == self.env:
                yield from objects
        except Exception:  # noqa: BLE001 - a file of ours that does not load is no cache
            return

    def _write(self, name: str, objects: Iterable[Any]) -> None:
        try:
            self.folder.mkdir(exist_ok=True)
            _mark_folder(self.folder)
            sealed.write(self.folder / name, self.key, itertools.chain([self.env], objects))
        except OSError:
            pass  # a read-only vault simply has no cache

    # -- notes --------------------------------------------------------------------

    def entries(self) -> dict[str, Entry]:
        """Every cached note (read on first use; a damaged tail keeps what loaded before it)."""
        if self._entries is None:
            self._entries = {}
            with collector_paused():
                for path, entry in self._load(NOTES_FILE):
                    self._entries[path] = Entry(*entry)
        return self._entries

    def trusted(self, note: NoteFile) -> bool:
        """Whether the note's stamp is old enough to stand for its bytes."""
        return note.mtime_ns < self.started_ns - RACY_SECONDS * 1_000_000_000

    def lookup(self, note: NoteFile) -> Entry | None:
        """The cached entry of `note`, whatever its stamp (the caller compares)."""
        return self.entries().get(note.path)

    def keep(self, note: NoteFile, note_digest: bytes | None, blob: bytes) -> None:
        """Record `note` as it is now, with its Analysis pickled in `blob`. From the first
        note that differs from the cache on, entries stream to a new notes file instead
        of staying in memory (a cold run on a large vault would hold every blob)."""
        entry = Entry(note.size, note.mtime_ns, note_digest, self.trusted(note), blob)
        if self._notes is None and not self._read_only and self._differs(note.path, entry):
            self._start_notes()
        if self._notes is not None:
            self._notes.add((note.path, tuple(entry)))
            entry = entry._replace(blob=b"")
        self.fresh[note.path] = entry

    def _differs(self, path: str, entry: Entry) -> bool:
        old = self.entries().get(path)
        return old is None or old[:4] != entry[:4]

    def _start_notes(self) -> None:
        try:
            self.folder.mkdir(exist_ok=True)
            _mark_folder(self.folder)
            self._notes = sealed.Writer(self.folder / NOTES_FILE, self.key)
            self._notes.add(self.env)
            for path, entry in self.fresh.items():
                self._notes.add((path, tuple(entry)))
        except OSError:
            self._notes, self._read_only = None, True  # a read-only vault simply has no cache
            return
        self.fresh = {path: entry._replace(blob=b"") for path, entry in self.fresh.items()}

    def abort(self) -> None:
        """Drop a notes file being written (the run failed)."""
        if self._notes is not None:
            self._notes.abort()
            self._notes = None

    # -- the whole vault -------------------------------------------------------------

    def state(self) -> State | None:
        """The state the last run saved, if it is usable."""
        if not self._state_loaded:
            self._state_loaded = True
            with collector_paused():
                found = next(self._load(STATE_FILE), None)
            self._state = found if isinstance(found, State) else None
        return self._state

    def unchanged(self, scan: ScanResult, outputs: tuple[str, ...]) -> bool:
        """True when the vault is exactly as the saved state saw it (notes compared
        by stamp, or by digest when a stamp changed or was too young to trust)."""
        state = self.state()
        if state is None or state.others != scan.others or state.outputs != outputs:
            return False
        stamps = {note.path: (note.size, note.mtime_ns) for note in scan.notes}
        if stamps != state.stamps or state.untrusted:
            if stamps.keys() != state.stamps.keys() or not self._same_bytes(scan, state):
                return False
        self.current = True
        return True

    def _same_bytes(self, scan: ScanResult, state: State) -> bool:
        """Whether notes with new or untrusted stamps still hold the bytes the state saw;
        if so, their stamps are saved, so the next run need not read them again."""
        for note in scan.notes:
            if (note.size, note.mtime_ns) == state.stamps[note.path] and note.path not in state.untrusted:
                continue
            now = self._digest_file(note)
            if now is None or now != state.digests[note.path]:
                return False
            state.stamps[note.path] = (note.size, note.mtime_ns)
            state.untrusted = state.untrusted - {note.path} if self.trusted(note) else state.untrusted
        self._write(STATE_FILE, [state])
        return True

    def _digest_file(self, note: NoteFile) -> bytes | None:
        if note.size < 0 or note.size > self.config.max_file_size:
            return None
        try:
            return digest(read_note(self.folder.parent, note.path, limit=self.config.max_file_size))
        except OSError:
            return None

    def save(self, scan: ScanResult, outputs: tuple[str, ...]) -> None:
        """Write the notes (when any changed) and the state of this run."""
        if self._notes is not None:
            self._commit_notes()
        elif self.entries().keys() != self.fresh.keys() and not self._read_only:  # notes deleted, none changed
            self._write(NOTES_FILE, ((path, tuple(e)) for path, e in self.fresh.items()))
        fresh = self.fresh
        state = State({p: (e.size, e.mtime_ns) for p, e in fresh.items()}, {p: e.digest for p, e in fresh.items()},
                      frozenset(p for p, e in fresh.items() if not e.trusted), scan.others, outputs)
        previous = self.state()
        if _same_content(previous, state):
            state.ident = previous.ident  # type: ignore[union-attr]
        else:
            state.ident = os.urandom(8).hex()
            self._forget_memos()
        self._state, self._state_loaded, self.current = state, True, True
        self._write(STATE_FILE, [state])
        loaded = bool(self._entries)
        self._entries, self.fresh = {}, {}  # written: no need to hold every blob any longer
        if loaded:
            _return_freed_memory()

    def _commit_notes(self) -> None:
        try:
            self._notes.commit()  # type: ignore[union-attr]
        except OSError:
            pass
        self._notes = None

    def _forget_memos(self) -> None:
        """Memos of an older vault can never match again: delete them."""
        try:
            stale = [e.path for e in os.scandir(self.folder) if e.name.startswith("memo-")]
        except OSError:
            return
        for path in stale:
            try:
                os.unlink(path)
            except OSError:
                pass

    # -- memos ----------------------------------------------------------------------

    def recall(self, name: str) -> Any | None:
        """The result memoised under `name` for the vault as it is now (see `unchanged`)."""
        state = self.state()
        if not self.current or state is None:
            return None
        with collector_paused():
            found = next(self._load(_memo_file(name)), None)
        return found[1] if isinstance(found, tuple) and found[0] == state.ident else None

    def remember(self, name: str, value: Any) -> None:
        """Memoise a result worked out from the vault as it is now (after `save` or `unchanged`)."""
        state = self.state()
        if self.current and state is not None:
            self._write(_memo_file(name), [(state.ident, value)])


def _memo_file(name: str) -> str:
    return f"memo-{FORMAT}-{blake2b(name.encode(), digest_size=8).hexdigest()}.pickle"


def _same_content(old: State | None, new: State) -> bool:
    """Same notes (by content), other files and outputs: what was worked out still holds."""
    if old is None or old.others != new.others or old.outputs != new.outputs:
        return False
    if old.digests != new.digests:
        return False
    unreadable = [path for path, found in new.digests.items() if found is None]
    return all(old.stamps[path] == new.stamps[path] for path in unreadable)  # their analysis names their size


def _return_freed_memory() -> None:
    """Hand the memory of the blobs just dropped back to the system. glibc keeps freed
    heap memory for later `malloc` calls, but Python's own small objects (most of what
    lint and index make next) come from other pages, so rendering would peak on top
    of it: on 10,000 notes, the size of the notes file. A no-op off glibc."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # another C library (musl has no malloc_trim)
        pass


def _mark_folder(folder: Path) -> None:
    """Keep the cache out of git and backups, as pytest and cargo do."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by lpvault: its cache is private to this machine\n*\n", encoding="utf-8")
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# lpvault cache\n", encoding="utf-8")
