"""Whether the index notes on disk are what the vault would produce now, without rendering.

After `index` writes them (or `index --check` finds none stale), the cache
memoises for exactly that vault an IndexRecord: the output folder as it then
was (every note's name, stamp and digest), the templates' stamps and the
numbers the summary line prints. A later run on an unchanged vault compares the
folder with the record (same names; each note with the same stamp, or else the
same bytes): when they agree nothing is rendered, and neither mistune nor
Jinja2 is imported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lpvault.cache import digest
from lpvault.config import Config

MEMO_NAME = "index"
_SHIPPED = (Path(__file__).resolve().parent / "templates", Path(__file__).resolve().parent.parent / "templates")

Snapshot = dict[str, tuple[int, int, bytes]]  # file name -> size, mtime_ns, digest


@dataclass(frozen=True)
class IndexRecord:
    """The index as last written (or checked) for the vault the cache describes."""

    folder: Snapshot  # every note in the output folder, ours or not
    outputs: tuple[str, ...]  # vault-relative paths of the index notes
    templates: str
    totals: tuple[int, int, tuple[tuple[str, int], ...], int]  # pipeline.Totals


def templates_stamp(root: Path, config: Config) -> str:
    """Names, sizes and mtimes of every template that could be used."""
    folders = [*(p for p in _SHIPPED if p.is_dir())]
    if config.templates_dir:
        folders.insert(0, root / config.templates_dir)
    parts = []
    for folder in folders:
        for entry in sorted(_entries(folder), key=lambda e: e.name):
            info = entry.stat()
            parts.append(f"{folder}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return [e for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return []


def snapshot(root: Path, config: Config) -> Snapshot:
    """Every note of the output folder as it is now, read and digested."""
    found: Snapshot = {}
    for entry in _entries(root / config.output):
        if entry.name.endswith(".md"):
            data = _read(entry.path)
            info = entry.stat()
            if data is not None:
                found[entry.name] = (info.st_size, info.st_mtime_ns, digest(data))
    return found


def folder_matches(root: Path, config: Config, record: IndexRecord) -> bool:
    """True when the output folder holds exactly the notes of `record`, byte for byte."""
    entries = {e.name: e for e in _entries(root / config.output) if e.name.endswith(".md")}
    if entries.keys() != record.folder.keys():
        return False
    for name, entry in entries.items():
        size, mtime_ns, expected = record.folder[name]
        info = entry.stat()
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            data = _read(entry.path)
            if data is None or digest(data) != expected:
                return False
    return True


def make_record(root: Path, config: Config, outputs: dict[str, str],
                totals: tuple[int, int, tuple[tuple[str, int], ...], int]) -> IndexRecord | None:
    """The record of an index that is on disk exactly as rendered; None if it is not."""
    folder = snapshot(root, config)
    prefix = config.output.strip("/") + "/"
    for path, text in outputs.items():
        name = path[len(prefix):] if path.startswith(prefix) else None
        if name is None or name not in folder or folder[name][2] != digest(text.encode("utf-8")):
            return None
    return IndexRecord(folder, tuple(sorted(outputs)), templates_stamp(root, config), totals)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
