"""The vault walk: exactly the files `is_ignored` lets through, whatever shortcuts the walk takes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpvault.config import load_config
from lpvault.scan import is_ignored, is_note_name, scan_vault

FILES = [
    "a.md", "Top Note.MD", "notes.txt", "LP Index", "lp index/x.md", "Out/Hub.md",
    "Templates/STAR.md", "templates", "Daily/2024-01-01.md", "Daily/sub/deep.md", "Projects/p.md",
    "Projects/draft.tmp.md", ".obsidian/app.md", "x/.hidden/y.md", "x/y/z.md", "~lock.md", "x/.swap.md",
]


def _tree(root: Path) -> None:
    for rel in FILES:
        path = root / rel
        if path.exists():  # "LP Index" the file and "LP Index/" the folder cannot both exist
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# t\n", encoding="utf-8")


def _every_file(root: Path) -> list[str]:
    found = []
    for folder, _, files in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/") for f in files]
    return found


@pytest.mark.parametrize("settings", [
    "",
    'ignore = ["Daily/*", "*.tmp.md"]\n',
    'ignore = ["Projects", "x/y"]\ntemplates_folder = "Templates"\n',
    'output = "Out"\nignore = ["**/deep*"]\n',
])
def test_the_walk_lists_exactly_what_is_ignored_lets_through(tmp_path: Path, settings: str) -> None:
    _tree(tmp_path)
    (tmp_path / "lpvault.toml").write_text(settings, encoding="utf-8")
    config = load_config(tmp_path)
    scan = scan_vault(tmp_path, config)
    kept = sorted(p for p in _every_file(tmp_path) if not is_ignored(p, config))
    assert [n.path for n in scan.notes] == [p for p in kept if is_note_name(p.rsplit("/", 1)[-1])]
    assert list(scan.others) == [p for p in kept if not is_note_name(p.rsplit("/", 1)[-1])]
