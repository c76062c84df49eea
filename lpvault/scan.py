"""Walk the vault: which files are notes.

Skipped: hidden folders (`.obsidian`, `.git`, `.trash`, our `.lpvault`), the
output folder, the vault's template folder (a template's skeleton is blank on
purpose) and configured ignore globs. Symlinks are followed only while they
stay inside the vault, and a folder is never entered twice (symlink loops).
A note that is a symlink leading outside, or not a regular file (a FIFO, a
device), is listed with size -1 so that the reader reports it without reading.
"""
from __future__ import annotations

import errno
import fnmatch
import os
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path

from lpvault.config import Config


@dataclass(frozen=True)
class NoteFile:
    """A Markdown file of the vault, with what the parse cache is keyed by."""

    path: str  # vault-relative POSIX path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ScanResult:
    """Notes and other files (attachments, which links may target)."""

    notes: tuple[NoteFile, ...]
    others: tuple[str, ...]


def scan_vault(root: Path, config: Config) -> ScanResult:
    """Every note under `root`, sorted by path."""
    walker = _Walker(root, config)
    walker.walk(root, "")
    return ScanResult(tuple(sorted(walker.notes, key=lambda n: n.path)), tuple(sorted(walker.others)))


def is_ignored(rel_path: str, config: Config, *, folder: bool = False) -> bool:
    """True when a vault-relative path is skipped by the rules above."""
    parts = rel_path.split("/")
    dirs = parts if folder else parts[:-1]
    if any(p.startswith(".") for p in dirs):
        return True
    if _under(rel_path, config.output) or config.templates_folder and _under(rel_path, config.templates_folder):
        return True
    return any(_glob(rel_path, pattern) for pattern in config.ignore)


def is_note_name(name: str) -> bool:
    """A Markdown note, not an editor's temp or swap file."""
    return name.lower().endswith(".md") and not name.startswith((".", "~")) and not name.endswith("~")


def _under(rel_path: str, folder: str) -> bool:
    folder = folder.strip("/").lower()
    path = rel_path.lower()
    return path == folder or path.startswith(folder + "/")


def _is_folder(rel_path: str, folder: str) -> bool:
    return rel_path.lower() == folder.strip("/").lower()


def _glob(rel_path: str, pattern: str) -> bool:
    pattern = pattern.strip("/")
    return fnmatch.fnmatchcase(rel_path, pattern) or any(
        fnmatch.fnmatchcase("/".join(rel_path.split("/")[: i + 1]), pattern) for i in range(rel_path.count("/"))
    )


class _Walker:
    def __init__(self, root: Path, config: Config) -> None:
        self.root = root.resolve()
        self.config = config
        self.notes: list[NoteFile] = []
        self.others: list[str] = []
        self.seen: set[tuple[int, int]] = set()

    def walk(self, folder: Path, rel: str) -> None:
        try:
            info = folder.stat()
            entries = list(os.scandir(folder))
        except OSError:
            return
        if (info.st_dev, info.st_ino) in self.seen:
            return  # a symlink loop or a second link to the same folder
        self.seen.add((info.st_dev, info.st_ino))
        for entry in sorted(entries, key=lambda e: e.name):
            self._visit(entry, f"{rel}{entry.name}")

    def _visit(self, entry: os.DirEntry[str], rel: str) -> None:
        if entry.is_symlink() and not self._inside(entry.path):
            if is_note_name(entry.name) and not is_ignored(rel, self.config):
                self.notes.append(NoteFile(rel, -1, 0))  # not followed: the reader says so
            return
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False  # a symlink loop: a note by that name is listed, and the reader says why
        if is_dir:
            if not is_ignored(rel, self.config, folder=True):
                self.walk(Path(entry.path), rel + "/")
        elif not self._file_ignored(rel):
            self._file(entry, rel)

    def _file_ignored(self, rel: str) -> bool:
        """`is_ignored` for a file whose folders were let through: only its own path is
        left to test (a scan of 10,000 notes spent a third of its time on the rest)."""
        config = self.config
        if _is_folder(rel, config.output) or config.templates_folder and _is_folder(rel, config.templates_folder):
            return True
        return any(fnmatch.fnmatchcase(rel, pattern.strip("/")) for pattern in config.ignore)

    def _file(self, entry: os.DirEntry[str], rel: str) -> None:
        if not is_note_name(entry.name):
            self.others.append(rel)
            return
        try:
            stat = entry.stat()
        except OSError:
            stat = None  # vanished or unreadable: the reader reports it
        if stat is not None and not stat_module.S_ISREG(stat.st_mode):
            stat = None  # a FIFO or a device: never opened by a digest, the reader reports it
        self.notes.append(NoteFile(rel, stat.st_size if stat else -1, stat.st_mtime_ns if stat else 0))

    def _inside(self, path: str) -> bool:
        try:
            target = Path(os.path.realpath(path))
        except OSError:
            return False
        return target == self.root or self.root in target.parents


class NotFollowed(OSError):
    """A note that is a symlink to a file outside the vault."""


class NotRegular(OSError):
    """A note that is not a regular file (a FIFO, a device, a socket)."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_note(root: Path, rel: str, *, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of the note at vault-relative `rel`.

    Never follows a symlink out of the vault and never blocks on a FIFO; raises
    OSError (NotFollowed, NotRegular, FileNotFoundError, ...) with a readable
    `strerror` when the note cannot be read."""
    path = os.path.join(root, rel)
    if not _NOFOLLOW and os.path.islink(path):  # no O_NOFOLLOW (Windows): ask first
        _check_link(root, path)
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW | getattr(os, "O_BINARY", 0))
    except OSError as error:
        if error.errno != errno.ELOOP or not _NOFOLLOW or not os.path.islink(path):
            raise
        _check_link(root, path)  # a symlink inside the vault: open what it points at
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as stream:
        if not stat_module.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file (a FIFO or a device), not read")
        return stream.read(limit + 1)


def _check_link(root: Path, path: str) -> None:
    real_root = os.path.realpath(root)
    target = os.path.realpath(path)
    try:
        inside = os.path.commonpath([real_root, target]) == real_root
    except ValueError:  # another drive (Windows)
        inside = False
    if not inside:
        raise NotFollowed(errno.EPERM, "a symlink to a file outside the vault, not followed")
