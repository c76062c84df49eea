"""`lpvault index --check` (writes nothing, lists what is stale) and `--fail-on-change` (the pre-commit hook)."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lpvault.cli import main

from conftest import SEED_FIXTURES, copy_vault

HUGO = "lp-hugo-behavioral.md"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_check_lists_only_the_index_notes_a_change_affects(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    assert run("index", str(root), "--quiet") == (0, "")
    note = root / HUGO
    text = note.read_text(encoding="utf-8")
    assert "\nSituation:\nActions:" in text  # the third Earn Trust story's blank Situation
    note.write_text(text.replace("\nSituation:\nActions:", "\nSituation: the rota was unfair\nActions:"), encoding="utf-8")
    before = _snapshot(root / "LP Index")
    code, output = run("index", str(root), "--check")
    assert (code, output) == (1, "LP Index/Earn Trust.md: out of date (run `lpvault index`)\n"
                                 "LP Index/Leadership Principles.md: out of date (run `lpvault index`)\n")
    assert _snapshot(root / "LP Index") == before  # nothing written, not even touched


def test_check_passes_on_a_current_index(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    run("index", str(root), "--quiet")
    assert run("index", str(root), "--check") == (0, "")


def test_check_lists_a_stale_note_of_a_removed_principle_and_keeps_it(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    (root / "lpvault.toml").write_text('[[principles]]\nname = "Widgetry"\n', encoding="utf-8")
    run("index", str(root), "--quiet")
    assert (root / "LP Index" / "Widgetry.md").is_file()
    (root / "lpvault.toml").write_text("", encoding="utf-8")
    code, output = run("index", str(root), "--check")
    assert code == 1 and "LP Index/Widgetry.md: out of date" in output
    assert (root / "LP Index" / "Widgetry.md").is_file()


def test_check_with_no_index_yet_creates_nothing(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    code, output = run("index", str(root), "--check")
    assert code == 1 and output.count("out of date") == 17
    assert not (root / "LP Index").exists()


def test_fail_on_change_exits_1_only_when_something_was_written(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    code, output = run("index", str(root), "--quiet", "--fail-on-change")
    assert code == 1 and output.startswith("lpvault index: 17 index notes written or removed; stage them (git add) "
                                           "and commit again:\n  LP Index/Are Right, A Lot.md\n")
    assert (root / "LP Index" / "Earn Trust.md").is_file()
    assert run("index", str(root), "--quiet", "--fail-on-change") == (0, "")
    assert run("index", str(root), "--quiet") == (0, "")
