"""The only place that writes: atomic, only when changed, only files we generated.

Defense in depth: whatever the caller computed, a path is written or removed
only when it sits directly in the output folder, that folder resolves inside
the vault, and the file there is a regular file (not a symlink, a FIFO or a
device) that carries our marker.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "lpvault: generated"


class NotOurs(Exception):
    """A file in the output folder that lpvault did not generate."""


class OutsideOutput(NotOurs):
    """A path that does not lie directly in the output folder inside the vault."""


@dataclass
class WriteReport:
    """What a write pass did, by vault-relative path."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def is_generated(path: Path) -> bool:
    """True when the file's front matter carries our marker (a symlink never does)."""
    data = _read(path, limit=4096)
    if data is None:
        return False
    head = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if not head.startswith("---\n"):
        return False
    end = head.find("\n---", 4)
    return MARKER in (head[4:end] if end > 0 else "").splitlines()


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` atomically unless the file already holds it; refuse a user's file
    (and a symlink or anything else that is not a regular file)."""
    data = text.encode("utf-8")
    if os.path.lexists(path):
        if not _is_regular(path):
            raise NotOurs(str(path))
        if _read(path) == data:
            return False
        if not is_generated(path):
            raise NotOurs(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)  # mkstemp makes 0600; an index note is as readable as any note
        os.replace(temp, path)
    except BaseException:
        _unlink(Path(temp))
        raise
    _fsync_folder(path.parent)
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()


def _mode_for(path: Path) -> int:
    """The mode of the note being replaced, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return _NEW_FILE_MODE


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (a power cut right after keeps the new note); POSIX only."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


class Written:
    """Each output as this process last wrote it or found it on disk, with its file's
    signature then (`watch`): an output whose text and file signature are the same is
    on disk as it should be, so it is neither read nor written again."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[str, tuple[int, ...]]] = {}

    def holds(self, rel: str, path: Path, text: str) -> bool:
        """True when `path` is known to hold `text`."""
        kept = self._files.get(rel)
        return kept is not None and (kept[0] is text or kept[0] == text) and kept[1] == _signature(path)

    def remember(self, rel: str, path: Path, text: str | None) -> None:
        """`path` holds `text` now (None: unknown)."""
        signature = _signature(path) if text is not None else None
        if signature is None:
            self._files.pop(rel, None)
        else:
            self._files[rel] = (text, signature)  # type: ignore[assignment]


def _signature(path: Path) -> tuple[int, ...] | None:
    """What changes whenever a file is written or replaced; None for anything but a regular file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def write_outputs(root: Path, outputs: dict[str, str], folder: str, written: Written | None = None) -> WriteReport:
    """Write every output (vault-relative path -> text); remove our stale notes in `folder`.
    `written`: what an earlier call wrote, to skip reading files known to be up to date."""
    report = WriteReport()
    _remove_leftover_temps(root, folder)
    directory = _output_dir(root, folder)
    for rel, text in sorted(outputs.items()):
        try:
            path = _in_output(directory, folder, rel)
            if written is not None and written.holds(rel, path, text):
                report.unchanged.append(rel)
                continue
            (report.written if write_if_changed(path, text) else report.unchanged).append(rel)
            if written is not None:
                written.remember(rel, path, text)
        except NotOurs:
            report.refused.append(rel)
    report.removed = remove_stale(root, folder, set(outputs))
    return report


def checked_output_path(root: Path, folder: str, rel: str) -> Path:
    """`root / rel` when `rel` names a file directly in the output folder and the
    folder resolves inside the vault; OutsideOutput otherwise."""
    return _in_output(_output_dir(root, folder), folder, rel)


def _in_output(directory: Path | None, folder: str, rel: str) -> Path:
    """`directory / name` for `rel` = `folder/name`; OutsideOutput for any other `rel`
    or when the output folder resolves outside the vault (`directory` None)."""
    prefix = folder.strip("/") + "/"
    name = rel[len(prefix):] if rel.startswith(prefix) else ""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise OutsideOutput(rel)
    if directory is None:
        raise OutsideOutput(rel)
    return directory / name


def _output_dir(root: Path, folder: str) -> Path | None:
    """The output folder, None when it resolves outside the vault (or onto its root)."""
    directory = root / folder.strip("/")
    real_root, real_dir = os.path.realpath(root), os.path.realpath(directory)
    try:
        inside = os.path.commonpath([real_root, real_dir]) == real_root and real_dir != real_root
    except ValueError:  # another drive (Windows)
        inside = False
    return directory if inside else None


# What `tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")` names a temp file: a run
# killed between creating it and the rename leaves one behind.
_TEMP_NAME = re.compile(r"^\..+\.md\.[a-z0-9_]{8}\.tmp$")


def _remove_leftover_temps(root: Path, folder: str) -> None:
    """Delete temp files a killed run left in the output folder. Callers hold the
    vault's write lock, so no other lpvault process is writing one right now."""
    directory = _output_dir(root, folder)
    if directory is None or not directory.is_dir():
        return
    for path in directory.iterdir():
        if _TEMP_NAME.match(path.name) and _is_regular(path):
            _unlink(path)


def remove_stale(root: Path, folder: str, keep: set[str]) -> list[str]:
    """Delete generated notes in `folder` that are no longer produced; never a user's file."""
    removed: list[str] = []
    directory = _output_dir(root, folder)
    if directory is None or not directory.is_dir():
        return removed
    for path in sorted(directory.glob("*.md")):
        rel = f"{folder.strip('/')}/{path.name}"
        if rel not in keep and path.is_file() and not path.is_symlink() and is_generated(path):
            _unlink(path)
            removed.append(rel)
    return removed


def stale_outputs(root: Path, outputs: dict[str, str], folder: str) -> list[str]:
    """Paths `write_outputs` would change (for `index --check`), writing nothing."""
    changed = [rel for rel, text in sorted(outputs.items()) if _read(root / rel) != text.encode("utf-8")]
    directory = root / folder
    extra = []
    if directory.is_dir():
        extra = [f"{folder.strip('/')}/{p.name}" for p in sorted(directory.glob("*.md"))
                 if f"{folder.strip('/')}/{p.name}" not in outputs and is_generated(p)]
    return sorted(changed + extra)


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _read(path: Path, *, limit: int = -1) -> bytes | None:
    """The bytes (at most `limit`) of a regular file; None for anything else (never
    blocks on a FIFO, never follows a symlink)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        try:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None
            return stream.read(limit)
        except OSError:
            return None


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
