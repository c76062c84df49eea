"""What `lpvault lint PATHS...` means: which vault, and which of its notes to report on.

One folder (or nothing: the current folder) is the vault, reported in full.
Files, as pre-commit passes them, are reported on alone but read with their
whole vault: the nearest parent folder holding `.obsidian/`, `lpvault.toml`,
`.lpvault.toml` or `.git`; failing that, the current folder when every path
is inside it, else the paths' common parent.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

ROOT_MARKERS = (".obsidian", "lpvault.toml", ".lpvault.toml", ".git")


@dataclass(frozen=True)
class Targets:
    """The vault root and, when only some notes were asked for, which."""

    root: Path
    files: frozenset[str] | None = None  # vault-relative POSIX paths; None: everything
    folders: tuple[str, ...] = ()  # vault-relative folders whose notes are wanted too

    def select(self, note_paths: Iterable[str]) -> set[str] | None:
        """The note paths to report on; None means all of them."""
        if self.files is None:
            return None
        prefixes = tuple(f"{folder}/" for folder in self.folders)
        return {p for p in note_paths if p in self.files or (prefixes and p.startswith(prefixes))}


def find_root(start: Path) -> Path | None:
    """The nearest folder from `start` upwards holding a vault marker, or None."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return None


def resolve_targets(paths: Sequence[Path], *, cwd: Path) -> Targets:
    """Turn command-line paths into a vault root and the notes to report on."""
    if not paths:
        return Targets(Path("."))
    if len(paths) == 1 and paths[0].is_dir():
        return Targets(paths[0])
    absolute = [Path(os.path.abspath(cwd / p)) for p in paths]
    common = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in absolute]))
    root = find_root(common) or (cwd if all(cwd == p or cwd in p.parents for p in absolute) else common)
    folders = {_relative(p, root) for p in absolute if p.is_dir()}
    if "." in folders:
        return Targets(root)
    files = frozenset(_relative(p, root) for p in absolute if not p.is_dir())
    return Targets(root, files, tuple(sorted(folders)))


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def display_path(root: Path, rel: str, *, cwd: Path) -> str:
    """How to show vault-relative `rel`: relative to `cwd` when inside it, else absolute."""
    full = os.path.abspath(cwd / root / rel)
    shown = os.path.relpath(full, cwd)
    return Path(full).as_posix() if shown.startswith("..") else Path(shown).as_posix()
