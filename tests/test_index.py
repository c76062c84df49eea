"""Index notes: golden bytes for the example vault, write-only-when-changed, safety of user files."""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from lpvault.config import Config, load_config
from lpvault.pipeline import run_index

from conftest import EXAMPLE_VAULT, copy_vault

GOLDEN_INDEX = EXAMPLE_VAULT / "LP Index"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


def test_example_vault_index_is_current(tmp_path: Path) -> None:
    """The checked-in `vault/LP Index/` is exactly what a fresh run writes
    (LPVAULT_REGEN_GOLDEN=1 rewrites it)."""
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    run_index(root, load_config(root))  # what `lpvault index vault` does
    fresh = _files(root / "LP Index")
    if os.environ.get("LPVAULT_REGEN_GOLDEN"):
        shutil.rmtree(GOLDEN_INDEX, ignore_errors=True)
        shutil.copytree(root / "LP Index", GOLDEN_INDEX)
    golden = _files(GOLDEN_INDEX)
    assert sorted(fresh) == sorted(golden)
    for name, data in fresh.items():
        diff = "".join(difflib.unified_diff(golden[name].decode().splitlines(True), data.decode().splitlines(True),
                                            f"golden/{name}", f"fresh/{name}"))
        assert not diff, diff


def test_one_note_per_principle_and_the_hub(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    result = run_index(root, Config())
    assert len(result.written) == 17
    assert "LP Index/Leadership Principles.md" in result.written
    assert "LP Index/Have Backbone; Disagree and Commit.md" in result.written


def test_second_run_writes_nothing(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    run_index(root, Config())
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "LP Index").iterdir()}
    again = run_index(root, Config())
    assert (again.written, again.removed, len(again.unchanged)) == ([], [], 17)
    assert {p: p.stat().st_mtime_ns for p in (root / "LP Index").iterdir()} == mtimes


def test_user_file_in_output_folder_survives(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    (root / "LP Index").mkdir()
    mine = root / "LP Index" / "Dive Deep.md"
    mine.write_text("# my own notes\n", encoding="utf-8")
    keep = root / "LP Index" / "scratch.md"
    keep.write_text("mine too\n", encoding="utf-8")
    result = run_index(root, Config())
    assert result.refused == ["LP Index/Dive Deep.md"]
    assert mine.read_text(encoding="utf-8") == "# my own notes\n"
    assert keep.read_text(encoding="utf-8") == "mine too\n"


def test_stale_generated_note_is_removed_user_note_kept(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    run_index(root, Config())
    stale = root / "LP Index" / "Old Principle.md"
    stale.write_text("---\nlpvault: generated\n---\nold\n", encoding="utf-8")
    result = run_index(root, Config())
    assert result.removed == ["LP Index/Old Principle.md"] and not stale.exists()


def test_notes_are_never_modified(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    run_index(root, Config())
    ours = ("LP Index", ".lpvault")  # the index, and the parse cache in lpvault's own hidden folder
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not set(ours) & set(p.parts)}
    assert after == before


def test_deterministic_bytes(tmp_path: Path) -> None:
    one = copy_vault(EXAMPLE_VAULT, tmp_path / "one")
    two = copy_vault(EXAMPLE_VAULT, tmp_path / "two")
    run_index(one, Config())
    run_index(two, Config())
    assert _files(one / "LP Index") == _files(two / "LP Index")


def test_template_folder_is_skipped(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    result = run_index(root, Config(templates_folder="Templates"))
    assert not [p for p in result.vault.notes if p.startswith("Templates/")]


@pytest.mark.parametrize("name", ["principle.md.j2", "hub.md.j2"])
def test_vault_templates_override_shipped_ones(tmp_path: Path, name: str) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    (root / "tpl").mkdir()
    (root / "tpl" / name).write_text("---\nlpvault: generated\n---\nmine {{ marker }}\n", encoding="utf-8")
    run_index(root, Config(templates_dir="tpl"))
    target = "Leadership Principles.md" if name == "hub.md.j2" else "Ownership.md"
    assert (root / "LP Index" / target).read_text(encoding="utf-8").endswith("mine lpvault: generated\n")
