"""Bad input never crashes a run, never stops it early, and always names the file.

The corpus is generated here (no checked-in binaries): each case is a file (or
a symlink, a FIFO...) put into a vault next to good notes; one run reads them
all, and each case asserts its finding and that the good notes were indexed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpvault.config import Config
from lpvault.pipeline import load_vault
from lpvault.scan import NotFollowed, NotRegular, read_note, scan_vault


def _problems(root: Path, path: str, config: Config | None = None) -> list[tuple[str, int, str]]:
    vault = load_vault(root, config or Config())
    return [(p.rule, p.line, p.message) for p in vault.notes[path].problems]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_to_a_note_outside_is_listed_but_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n", encoding="utf-8")
    root = tmp_path / "vault"
    root.mkdir()
    (root / "leak.md").symlink_to(outside)
    assert [n.path for n in scan_vault(root, Config()).notes] == ["leak.md"]
    with pytest.raises(NotFollowed):
        read_note(root, "leak.md", limit=1000)
    [(rule, line, message)] = _problems(root, "leak.md")
    assert (rule, line) == ("unreadable-file", 1) and "outside the vault" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_named_md_is_reported_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(NotRegular):
        read_note(tmp_path, "pipe.md", limit=1000)
    [(rule, _, message)] = _problems(tmp_path, "pipe.md")
    assert rule == "unreadable-file" and "not a regular file" in message
