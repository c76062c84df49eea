"""The only place that writes: atomic, only when changed, only files we generated."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "lpvault: generated"


class NotOurs(Exception):
    """A file in the output folder that lpvault did not generate."""


@dataclass
class WriteReport:
    """What a write pass did, by vault-relative path."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def is_generated(path: Path) -> bool:
    """True when the file's front matter carries our marker."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if not head.startswith("---\n"):
        return False
    end = head.find("\n---", 4)
    return MARKER in (head[4:end] if end > 0 else "").splitlines()


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` atomically unless the file already holds it; refuse a user's file."""
    data = text.encode("utf-8")
    if path.exists():
        if _read(path) == data:
            return False
        if not is_generated(path):
            raise NotOurs(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        _unlink(Path(temp))
        raise
    return True


def write_outputs(root: Path, outputs: dict[str, str], folder: str) -> WriteReport:
    """Write every output (vault-relative path -> text); remove our stale notes in `folder`."""
    report = WriteReport()
    for rel, text in sorted(outputs.items()):
        try:
            (report.written if write_if_changed(root / rel, text) else report.unchanged).append(rel)
        except NotOurs:
            report.refused.append(rel)
    report.removed = remove_stale(root, folder, set(outputs))
    return report


def remove_stale(root: Path, folder: str, keep: set[str]) -> list[str]:
    """Delete generated notes in `folder` that are no longer produced; never a user's file."""
    removed = []
    directory = root / folder
    if not directory.is_dir():
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


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
