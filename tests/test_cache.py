"""The parse cache: what is reused, what is read again, and what is never trusted."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lpvault import cache, sealed
from lpvault.config import Config, load_config
from lpvault.pipeline import Analyzer, load_vault, run_index

from conftest import EXAMPLE_VAULT, copy_vault

STORY = "## Dive Deep\n### Cache story\n- Situation: slow runs\n- Action: I cached\n- Result: {result}\n"
OLD = time.time_ns() - 3600 * 10**9  # an hour ago: a stamp old enough to be trusted


pytestmark = pytest.mark.usefixtures("private_cache_key")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    for number in range(3):
        _write(root / f"note{number}.md", STORY.format(result=f"{number}0% faster"))
    return root


def _write(path: Path, text: str, mtime_ns: int = OLD) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths Analyzer.analyse is called for (the real parse still runs)."""
    calls: list[str] = []
    real = Analyzer.analyse

    def spy(self: Analyzer, path: str, *args: object) -> object:
        calls.append(path)
        return real(self, path, *args)

    monkeypatch.setattr(Analyzer, "analyse", spy)
    return calls


def _results(root: Path, **options: object) -> dict[str, tuple[str, ...]]:
    vault = load_vault(root, Config(), **options)  # type: ignore[arg-type]
    return {path: tuple(p.text for s in vault.stories if s.note == path for p in s.parts.values())
            for path in vault.notes}


def test_an_unchanged_note_is_never_parsed_again(vault: Path, parsed: list[str]) -> None:
    first = _results(vault)
    assert sorted(parsed) == ["note0.md", "note1.md", "note2.md"]
    parsed.clear()
    assert _results(vault) == first and parsed == []


def test_only_the_changed_note_is_parsed(vault: Path, parsed: list[str]) -> None:
    _results(vault)
    parsed.clear()
    _write(vault / "note1.md", STORY.format(result="99% faster"), OLD + 10**9)
    assert "99% faster" in _results(vault)["note1.md"] and parsed == ["note1.md"]


def test_a_touched_note_with_the_same_bytes_is_read_not_parsed(vault: Path, parsed: list[str]) -> None:
    _results(vault)
    parsed.clear()
    os.utime(vault / "note2.md", ns=(OLD + 5 * 10**9, OLD + 5 * 10**9))
    _results(vault)
    assert parsed == []


def test_new_and_deleted_notes(vault: Path, parsed: list[str]) -> None:
    _results(vault)
    parsed.clear()
    (vault / "note0.md").unlink()
    _write(vault / "new.md", STORY.format(result="new"))
    assert sorted(_results(vault)) == ["new.md", "note1.md", "note2.md"] and parsed == ["new.md"]


def test_a_young_stamp_is_not_trusted(vault: Path, parsed: list[str]) -> None:
    """Saved twice within the timestamp granularity, same size: the stamp cannot tell."""
    now = time.time_ns()
    _write(vault / "note0.md", STORY.format(result="10% faster"), now)
    _results(vault)
    _write(vault / "note0.md", STORY.format(result="20% faster"), now)  # same size, same mtime
    parsed.clear()
    assert "20% faster" in _results(vault)["note0.md"] and parsed == ["note0.md"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(vault: Path, parsed: list[str], damage: str) -> None:
    first = _results(vault)
    for path in (vault / ".lpvault").glob("*.pickle"):
        data = path.read_bytes()
        path.write_bytes({"truncate": data[: len(data) // 2], "flip": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
                          "garbage": b"not a cache at all", "empty": b""}[damage])
    parsed.clear()
    assert _results(vault) == first and len(parsed) == 3
    parsed.clear()
    assert _results(vault) == first and parsed == []  # rebuilt


class _Planted:
    """A pickle that would create a file if it were ever loaded."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.target,))


def test_a_foreign_cache_is_never_unpickled(vault: Path, tmp_path: Path, parsed: list[str]) -> None:
    """Committed to a shared vault or synced from elsewhere: signed with another key, or not at all."""
    _results(vault)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(marker))
    for path in (vault / ".lpvault").glob("*.pickle"):
        path.write_bytes(sealed.MAGIC + bytes(32) + payload)  # right magic, wrong signature
    foreign_key = b"k" * 32
    sealed.write(vault / ".lpvault" / cache.STATE_FILE, foreign_key, [_Planted(marker)])
    parsed.clear()
    _results(vault)
    assert not marker.exists() and len(parsed) == 3


def test_another_version_or_config_is_ignored(vault: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _results(vault)
    parsed.clear()
    monkeypatch.setattr(cache, "__version__", "99.0")
    _results(vault)
    assert len(parsed) == 3
    parsed.clear()
    load_vault(vault, Config(placeholders=("TBD",)))
    assert len(parsed) == 3


def test_no_cache_reads_and_writes_nothing(vault: Path, parsed: list[str]) -> None:
    _results(vault)
    parsed.clear()
    before = {p: p.stat().st_mtime_ns for p in (vault / ".lpvault").iterdir()}
    _results(vault, use_cache=False)
    assert len(parsed) == 3
    assert {p: p.stat().st_mtime_ns for p in (vault / ".lpvault").iterdir()} == before


def test_without_a_key_there_is_no_cache(vault: Path, parsed: list[str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    first = _results(vault)
    assert _results(vault) == first and len(parsed) == 6
    assert not (vault / ".lpvault").exists()


def test_the_key_is_private_and_the_folder_marked(vault: Path, tmp_path: Path) -> None:
    _results(vault)
    assert sealed.key_path().stat().st_mode & 0o077 == 0
    assert (vault / ".lpvault" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert not list((vault / ".lpvault").glob("*.tmp"))


def test_a_failed_write_keeps_the_old_file(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _results(vault)
    state = vault / ".lpvault" / cache.STATE_FILE
    before = state.read_bytes()

    class Unpicklable:
        def __reduce__(self) -> tuple[object, ...]:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        sealed.write(state, sealed.user_key(), [Unpicklable()])  # type: ignore[arg-type]
    assert state.read_bytes() == before and not list(state.parent.glob("*.tmp"))


# -- index and lint on an unchanged vault ------------------------------------------


def _index_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "LP Index").glob("*.md"))}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "example")
    for path in root.rglob("*.md"):
        os.utime(path, ns=(OLD, OLD))
    run_index(root, Config())  # the first run makes LP Index/, so the vault it reads changes
    return root


def test_an_unchanged_vault_renders_nothing(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_index(example, Config())
    monkeypatch.setattr("lpvault.pipeline.render_pages", _fail)
    monkeypatch.setattr(Analyzer, "analyse", _fail)
    again = run_index(example, Config())
    assert (again.written, again.removed, again.unchanged) == ([], [], sorted(first.unchanged + first.written))
    assert again.summary(0.0) == first.summary(0.0).replace(f"{len(first.written)} index notes written",
                                                            "0 index notes written")
    assert run_index(example, Config(), check=True).stale == []


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("nothing should be rendered or parsed")


def test_an_edited_or_deleted_index_note_is_written_again(example: Path) -> None:
    run_index(example, Config())
    expected = _index_files(example)
    hub = example / "LP Index" / "Leadership Principles.md"
    hub.write_text(hub.read_text(encoding="utf-8") + "\nmy edit\n", encoding="utf-8")
    assert run_index(example, Config(), check=True).stale == ["LP Index/Leadership Principles.md"]
    assert run_index(example, Config()).written == ["LP Index/Leadership Principles.md"]
    (example / "LP Index" / "Dive Deep.md").unlink()
    run_index(example, Config())
    assert _index_files(example) == expected


def test_a_changed_template_renders_again(example: Path) -> None:
    run_index(example, Config())
    (example / "tpl").mkdir()
    shipped = Path(__file__).resolve().parent.parent / "templates" / "hub.md.j2"
    (example / "tpl" / "hub.md.j2").write_text(shipped.read_text(encoding="utf-8") + "\nfooter\n", encoding="utf-8")
    result = run_index(example, Config(templates_dir="tpl"))
    assert result.written == ["LP Index/Leadership Principles.md"]


@pytest.mark.parametrize("command", ["index", "lint"])
def test_an_unchanged_vault_imports_neither_mistune_nor_jinja2(example: Path, command: str) -> None:
    run_index(example, load_config(example))  # the settings the command line reads
    subprocess.run([sys.executable, "-m", "lpvault", command, str(example)], capture_output=True,
                   env=dict(os.environ))
    # nor the records (lint's memo holds findings, so it loads their module, not model's)
    unwanted = ("lpvault.lint", "lpvault.index", "lpvault.model") + (("lpvault.findings",) if command == "index" else ())
    script = ("import sys\nfrom lpvault.cli import main\n"  # main, not run: run's exit would skip the print
              f"sys.argv = ['lpvault', {command!r}, {str(example)!r}]\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mistune', 'jinja2')\n"
              f"             or m in {unwanted!r}))\n")
    env = {**os.environ, "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().endswith("[]") and ("0 index notes written" in out or command == "lint")


def test_lint_findings_are_memoised_until_the_vault_changes(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from lpvault.cli import main

    first = CliRunner().invoke(main, ["lint", str(example), "--format", "json"])
    with monkeypatch.context() as patch:
        patch.setattr("lpvault.lint.lint", _fail)
        assert CliRunner().invoke(main, ["lint", str(example), "--format", "json"]).output == first.output
    _write(example / "fresh skeleton.md", "## Think Big\n- Situation:\n- Action:\n- Result:\n")
    again = CliRunner().invoke(main, ["lint", str(example), "--format", "json"])
    assert "fresh skeleton.md" in again.output and "fresh skeleton.md" not in first.output


# -- what an Analysis keeps ----------------------------------------------------------


def _sample_vault(source: str, root: Path) -> Path:
    """A vault to compare two routes on: 150 generated notes, the example vault, or the seeds."""
    from benchmarks.generate import generate
    from conftest import SEED_FIXTURES

    if source == "generated":
        generate(root, notes=150, seed=11)
    else:
        copy_vault(EXAMPLE_VAULT if source == "example" else SEED_FIXTURES, root)
    return root


@pytest.mark.parametrize("source", ["seeds", "example", "generated", "markdown-links"])
def test_the_blocks_a_note_keeps_are_all_lint_and_index_read(source: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Notes keep headings and `#` paragraphs only (pipeline.kept_blocks): findings and index notes
    are the same as with every block kept."""
    from lpvault import pipeline
    from lpvault.lint import lint

    root = _sample_vault(source, tmp_path / "vault")
    if source == "markdown-links":
        (root / "lpvault.toml").write_text('link_style = "markdown"\n', encoding="utf-8")

    def results() -> tuple[object, ...]:
        vault = load_vault(root, load_config(root), use_cache=False)
        return lint(vault), pipeline.render_pages(root, vault)

    kept = results()
    monkeypatch.setattr(pipeline, "kept_blocks", tuple)
    assert results() == kept


def test_a_failed_run_leaves_the_cache_as_it_was(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _results(vault)
    notes = vault / ".lpvault" / cache.NOTES_FILE
    before = notes.read_bytes()
    _write(vault / "note0.md", STORY.format(result="1% faster"), OLD + 10**9)
    _write(vault / "note1.md", STORY.format(result="2% faster"), OLD + 10**9)
    real = Analyzer.analyse

    def failing(self: Analyzer, path: str, *args: object) -> object:
        if path == "note1.md":
            raise KeyboardInterrupt
        return real(self, path, *args)

    monkeypatch.setattr(Analyzer, "analyse", failing)
    with pytest.raises(KeyboardInterrupt):
        _results(vault)
    assert notes.read_bytes() == before and not list(notes.parent.glob("*.tmp"))


def test_a_symlinked_cache_folder_is_not_used(vault: Path, tmp_path: Path, parsed: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (vault / ".lpvault").symlink_to(elsewhere)
    _results(vault)
    _results(vault)
    assert len(parsed) == 6 and list(elsewhere.iterdir()) == []


# -- watch start-up -------------------------------------------------------------------------


def test_watch_starts_from_the_cache_index_left_and_leaves_it_current(vault: Path, parsed: list[str]) -> None:
    from lpvault.live import LiveVault

    first = _results(vault)
    parsed.clear()
    model = LiveVault(vault, Config())
    assert model.rescan().cached and parsed == []  # the watch's first walk
    assert {p: tuple(pt.text for s in a.stories for pt in s.parts.values()) for p, a in model.analyses.items()} == first
    _write(vault / "note1.md", STORY.format(result="99% faster"), OLD + 10**9)
    assert not model.update(["note1.md"]).cached  # a save: parsed, and not written to the cache (only whole walks are)
    assert parsed == ["note1.md"]
    parsed.clear()
    LiveVault(vault, Config()).rescan()  # a restart parses only what changed since the cache was written
    assert parsed == ["note1.md"]
    parsed.clear()
    assert "99% faster" in _results(vault)["note1.md"] and parsed == []  # and `index` then finds it all


def test_watch_with_no_cache_parses_everything_and_writes_nothing(vault: Path, parsed: list[str]) -> None:
    from lpvault.live import LiveVault

    LiveVault(vault, Config(), use_cache=False).rescan()
    assert sorted(parsed) == ["note0.md", "note1.md", "note2.md"]
    assert not (vault / cache.CACHE_DIR).exists()


# -- lint findings worked out with each note's analysis ------------------------------


@pytest.mark.parametrize("source", ["seeds", "example", "generated", "configured"])
def test_findings_from_the_analyses_are_those_lint_works_out(source: str, tmp_path: Path) -> None:
    """Vault.found (note and story rules, worked out per note when it is analysed) gives the
    same findings and counts as lint running those rules itself: every rule, a selection,
    and a few paths only."""
    from dataclasses import replace

    from lpvault.lint import choose_rules, lint, lint_summary

    root = _sample_vault(source, tmp_path / "vault")
    if source == "configured":
        (root / "lpvault.toml").write_text('[rules]\nLPV105 = "off"\nLPV104 = "error"\n', encoding="utf-8")
    vault = load_vault(root, load_config(root), use_cache=False)
    alone = replace(vault, found={})
    assert set(vault.found) == set(vault.notes)
    some = set(list(vault.notes)[::3])
    for rules in (choose_rules(), choose_rules(["LPV1"]), choose_rules(ignore=["LPV202", "broken-link"])):
        assert lint(vault, rules=rules) == lint(alone, rules=rules)
        assert lint(vault, rules=rules, paths=some) == lint(alone, rules=rules, paths=some)
    assert lint_summary(vault) == lint_summary(alone)
    assert lint(vault)  # the comparison is not between two empty lists
    if source == "configured":
        assert not any(f.code == "LPV105" for f in lint(vault))


def test_after_an_edit_only_that_note_is_linted_by_the_note_and_story_rules(
        vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings of the unchanged notes come from the cache: only links and vault rules,
    which read other notes, look at every note again."""
    from lpvault import lint as lint_module

    load_vault(vault, Config())
    _write(vault / "note1.md", STORY.format(result="TBD"))
    looked: set[tuple[str, str]] = set()
    real = lint_module._note_hits

    def spy(rule: object, vault: object, path: str) -> object:
        looked.add((rule.name, path))  # type: ignore[attr-defined]
        return real(rule, vault, path)  # type: ignore[arg-type]

    monkeypatch.setattr(lint_module, "_note_hits", spy)
    found = lint_module.lint(load_vault(vault, Config()))
    assert {path for name, path in looked if name != "broken-link"} == {"note1.md"}
    assert {path for name, path in looked if name == "broken-link"} == {"note0.md", "note1.md", "note2.md"}
    assert [(f.path, f.line, f.code) for f in found if f.code == "LPV103"] == [("note1.md", 5, "LPV103")]


@pytest.mark.parametrize("source", ["seeds", "example", "generated"])
def test_story_digests_from_the_analyses_merge_as_the_bank_would(source: str, tmp_path: Path) -> None:
    """Story.text_digest (worked out with the note) is words_digest of its parts, and the bank
    merges and orders stories the same with it as when it works the digests out itself."""
    from dataclasses import replace

    from lpvault.model import words_digest
    from lpvault.vault import StoryBank

    root = _sample_vault(source, tmp_path / "vault")
    vault = load_vault(root, load_config(root), use_cache=False)
    structured = [s for s in vault.stories if s.structured]
    assert structured and all(s.text_digest == words_digest(s.parts) for s in structured)
    bare = [replace(s, text_digest=None) for s in vault.stories]

    def shape(bank: StoryBank) -> list[tuple[object, ...]]:
        return [(e.story.note, e.story.line, e.principles, [(s.note, s.line) for s in e.occurrences]) for e in bank.entries]

    assert shape(StoryBank.build(bare, vault.catalog)) == shape(vault.story_bank)
    assert any(len(e.occurrences) > 1 for e in vault.story_bank.entries) or source == "seeds"
