"""Bad input never crashes a run, never stops it early, and always names the file.

The corpus is generated here (no checked-in binaries): each case is a file (or
a symlink, a FIFO...) put into one vault next to good notes; one run reads them
all, and each case asserts its finding (rule, line, message) and that the good
notes were still indexed. `bad_corpus()` is shared with the safety and crash
tests, which hash and index the same vault.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from lpvault.config import Config
from lpvault.frontmatter import MAX_EXPANDED_VALUES
from lpvault.pipeline import load_vault, run_index
from lpvault.scan import NotFollowed, NotRegular, read_note, scan_vault
from lpvault.vault import Vault

GOOD = {
    "good/customer.md": "# Customer Obsession\n\n## Search platform\n\n- Situation: search was slow\n"
                        "- Action: I rewrote the ranking\n- Result: latency fell 40%\n",
    "good/dive deep.md": "# Dive Deep\n\n## Billing bug\n\n- Situation: invoices were wrong\n"
                         "- Action: I traced the rounding error\n- Result: refunds fell 90%\n",
}
STORY = GOOD["good/customer.md"]
MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, and the finding it must produce (rule None: none)."""

    path: str
    make: Callable[[Path, Path, str], None]  # (vault root, a folder outside the vault, path)
    rule: str | None = None
    line: int | None = None
    says: str = ""
    stories: int | None = None  # stories the note still yields, when that is the point


def _bytes(data: bytes) -> Callable[[Path, Path, str], None]:
    def make(root: Path, outside: Path, path: str) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return make


def _alias_bomb(levels: int = 9) -> str:
    """A 'billion laughs' document: 9 aliases on each of 9 levels (9**9 strings)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntags: *a{levels - 1}\nprinciples: *a{levels - 1}\n"


def _symlink_out(root: Path, outside: Path, path: str) -> None:
    (outside / "private.md").write_text("# Private\n\nnot for the index\n", encoding="utf-8")
    (root / path).symlink_to(outside / "private.md")


def _symlink_loop(root: Path, outside: Path, path: str) -> None:
    folder = root / path
    folder.mkdir(parents=True)
    (folder / "inner.md").write_text(STORY, encoding="utf-8")
    (folder / "again").symlink_to(folder, target_is_directory=True)
    (folder / "up").symlink_to(root, target_is_directory=True)


def _file_loop(root: Path, outside: Path, path: str) -> None:
    (root / path).symlink_to(root / "loop-b.md")
    (root / "loop-b.md").symlink_to(root / path)


def _fifo(root: Path, outside: Path, path: str) -> None:
    os.mkfifo(root / path)


CASES = [
    Case("not-utf8.md", _bytes("# Title\n\nCaf\u00e9 au lait\n".encode("latin-1")),
         "unreadable-file", 3, "byte 0xe9 at offset 12"),
    Case("bom.md", _bytes(b"\xef\xbb\xbf" + STORY.encode()), stories=1),
    Case("utf16.md", _bytes(STORY.encode("utf-16")), "unreadable-file", 1, "UTF-16 text"),
    Case("crlf.md", _bytes(STORY.replace("\n", "\r\n").encode()), stories=1),
    Case("lone-cr.md", _bytes(STORY.replace("\n", "\r").encode()), stories=1),
    Case("binary.md", _bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
         "unreadable-file", 1, "binary file"),
    Case("empty.md", _bytes(b""), stories=0),
    Case("huge.md", _bytes(b"lorem ipsum\n" * (20 * MB // 12)), "unreadable-file", 1, "over the size limit"),
    Case("one-long-line.md", _bytes(b"# Customer Obsession\n## Wide\n- Situation: " + b"it was [[wide]] #tag " * (5 * MB // 21)
                                    + b"\n- Action: I wrapped it\n- Result: 5 MB parsed\n"), stories=1),
    Case("nested-lists.md", _bytes(b"- " * 10_000 + b"deep\n"), "unreadable-file", 1, "nested 20 levels deep"),
    Case("nested-quotes.md", _bytes(b">" * 10_000 + b" deep\n"), "unreadable-file", 1, "nested 20 levels deep"),
    Case("nested-indented.md", _bytes("".join("  " * i + "- x\n" for i in range(400)).encode()),
         "unreadable-file", 20, "nested 20 levels deep"),
    Case("unclosed-front-matter.md", _bytes(("---\ntitle: x\n\n" + STORY).encode()),
         "invalid-front-matter", 1, "never closed", stories=1),
    Case("invalid-yaml.md", _bytes(("---\ntitle: ok\ntags: [unclosed\n---\n" + STORY).encode()),
         "invalid-front-matter", 3, "invalid YAML", stories=1),
    Case("python-tag.md", _bytes(b"---\nx: !!python/object/apply:os.system ['touch PWNED']\n---\n# Hi\n"),
         "invalid-front-matter", 2, "python/object"),
    Case("python-name.md", _bytes(b"---\n!!python/name:os.system\n---\n# Hi\n"), "invalid-front-matter", 2, "python/name"),
    Case("alias-bomb.md", _bytes(("---\n" + _alias_bomb() + "---\n" + STORY).encode()),
         "invalid-front-matter", 2, "alias bomb", stories=1),
    Case("many-aliases.md", _bytes(("---\na: &a x\nb: [" + ", ".join(["*a"] * 300) + "]\n---\n").encode()),
         "invalid-front-matter", 2, "more than 200 aliases"),
    Case("recursive-alias.md", _bytes(b"---\na: &a [*a]\ntags: *a\n---\n# Hi\n"), "invalid-front-matter", 2, "contains itself"),
    Case("deep-yaml.md", _bytes(b"---\nx: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n"), "invalid-front-matter", 2, "nested"),
    Case("huge-number.md", _bytes(b"---\nx: 0x" + b"f" * 5000 + b"\n---\n"), "invalid-front-matter", 2, "larger than"),
    Case("surrogate.md", _bytes(b'---\naliases: ["\\ud800"]\n---\n'), "invalid-front-matter", 2, "surrogate"),
    Case("impossible-date.md", _bytes(("---\ndate: 2020-02-30\ntags: [lp/dive-deep]\n---\n" + STORY).encode()), stories=1),
    Case("toml-error.md", _bytes(("+++\ntitle = \"ok\"\ntags = [\n+++\n" + STORY).encode()),
         "invalid-front-matter", 3, "invalid TOML", stories=1),
    Case("deep-toml.md", _bytes(b"+++\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n+++\n"), "invalid-front-matter", 2, "nested"),
    Case("pathological-lines.md", _bytes(("# Customer Obsession\n## Story\n" + "\n\n".join([
        "S" + "`" * 200_000, "<!--" * 50_000, "%%" * 100_000, "## Dive" + " " * 200_000 + "x",
        "**Project:** A" + "1" * 200_000 + "x", "**x**" + " " * 200_000 + "y", " " * 200_000 + "- Situation: x",
        "## " + "(" * 100_000 + ")" * 100_000, "- a" + "\t" * 200_000 + "]]", "## Dive Deep" + " :" * 100_000,
        "Principle:: [[" + "a" * 200_000, "Principle:: Dive Deep" + " " * 200_000 + "x",
    ]) + "\n").encode())),
    Case("link-out.md", _symlink_out, "unreadable-file", 1, "outside the vault"),
    Case("loop", _symlink_loop),
    Case("loop-a.md", _file_loop, "unreadable-file", 1, "cannot read"),
    Case("pipe.md", _fifo, "unreadable-file", 1, "not a regular file"),
]


def bad_corpus(root: Path, outside: Path) -> list[Case]:
    """Write the good notes and every bad case into `root` (symlink targets into
    `outside`); returns the cases made (symlinks and FIFOs only where supported)."""
    root.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    for path, text in GOOD.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    made = []
    for case in CASES:
        if case.make in (_symlink_out, _symlink_loop, _file_loop) and not hasattr(os, "symlink"):
            continue
        if case.make is _fifo and not hasattr(os, "mkfifo"):
            continue
        case.make(root, outside, case.path)
        made.append(case)
    return made


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Vault]:
    """The corpus vault and one run over it."""
    base = tmp_path_factory.mktemp("bad")
    bad_corpus(base / "vault", base / "outside")
    return base / "vault", load_vault(base / "vault", Config(), jobs=1)


def _available(case: Case) -> None:
    if case.path in ("link-out.md", "loop", "loop-a.md") and not hasattr(os, "symlink"):
        pytest.skip("no symlinks here")
    if case.path == "pipe.md" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")


@pytest.mark.parametrize("case", CASES, ids=[c.path for c in CASES])
def test_each_case_gets_its_finding_and_nothing_else(corpus: tuple[Path, Vault], case: Case) -> None:
    _available(case)
    _, vault = corpus
    if case.path == "loop":
        return  # a folder: see test_a_symlink_loop_is_walked_once
    problems = [(p.rule, p.line, p.message) for p in vault.notes[case.path].problems]
    if case.rule is None:
        assert problems == []
    else:
        [(rule, line, message)] = problems
        assert (rule, line) == (case.rule, case.line) and case.says in message, message
    if case.stories is not None:
        assert len([s for s in vault.stories if s.note == case.path]) == case.stories


def test_the_good_notes_are_read_in_full(corpus: tuple[Path, Vault]) -> None:
    _, vault = corpus
    for path in GOOD:
        assert vault.notes[path].problems == ()
        [story] = [s for s in vault.stories if s.note == path]
        assert story.status.value == "complete"


def test_a_symlink_loop_is_walked_once(corpus: tuple[Path, Vault]) -> None:
    if not hasattr(os, "symlink"):
        pytest.skip("no symlinks here")
    _, vault = corpus
    assert [p for p in vault.notes if p.startswith("loop/")] == ["loop/inner.md"]
    assert not any("again" in p or "up/" in p for p in vault.notes)


def test_the_bad_inputs_produce_no_side_effects(corpus: tuple[Path, Vault]) -> None:
    root, _ = corpus
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()


def test_index_goes_on_to_write_the_good_stories(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    bad_corpus(vault, tmp_path / "outside")
    result = run_index(vault, Config(), jobs=1)
    assert not result.refused
    page = (vault / "LP Index" / "Customer Obsession.md").read_text(encoding="utf-8")
    assert "Search platform" in page and "Wide" in page
    assert "Billing bug" in (vault / "LP Index" / "Dive Deep.md").read_text(encoding="utf-8")


def test_a_second_run_from_the_cache_reports_the_same(corpus: tuple[Path, Vault]) -> None:
    root, first = corpus
    again = load_vault(root, Config(), jobs=1)
    assert {p: n.problems for p, n in again.notes.items()} == {p: n.problems for p, n in first.notes.items()}


def test_lint_reports_every_case_through_the_command(corpus: tuple[Path, Vault]) -> None:
    root, vault = corpus
    done = subprocess.run([sys.executable, "-m", "lpvault", "lint", str(root), "--format", "json", "--no-cache"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # findings at error level, and no traceback
    assert "Traceback" not in done.stderr
    found = {(f["path"], f["rule"], f["line"]) for f in json.loads(done.stdout)}
    for case in CASES:
        if case.rule is not None and case.path in vault.notes:
            assert any(path.endswith(case.path) and (rule, line) == (case.rule, case.line)
                       for path, rule, line in found), case.path


# -- cases that need a run of their own -------------------------------------------------


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text(STORY + "x" * 2000, encoding="utf-8")
    (tmp_path / "small.md").write_text(STORY, encoding="utf-8")
    vault = load_vault(tmp_path, Config(max_file_size=1000), use_cache=False)
    [problem] = vault.notes["big.md"].problems
    assert problem.rule == "unreadable-file" and "size limit of 1000" in problem.message
    assert vault.notes["small.md"].problems == ()


def test_a_note_deleted_while_indexing_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lpvault.pipeline as pipeline

    for name in ("a.md", "vanishing.md", "z.md"):
        (tmp_path / name).write_text(STORY, encoding="utf-8")
    real_scan = pipeline.scan_vault

    def scan_then_delete(root: Path, config: Config):  # type: ignore[no-untyped-def]
        found = real_scan(root, config)
        (root / "vanishing.md").unlink()
        return found

    monkeypatch.setattr(pipeline, "scan_vault", scan_then_delete)
    vault = load_vault(tmp_path, Config(), use_cache=False, jobs=1)
    [problem] = vault.notes["vanishing.md"].problems
    assert problem.rule == "unreadable-file" and "vanished" in problem.message
    assert len(vault.stories) == 2


def test_a_note_made_unreadable_while_indexing_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lpvault.pipeline as pipeline

    for name in ("a.md", "locked.md"):
        (tmp_path / name).write_text(STORY, encoding="utf-8")
    real_read = pipeline.read_note

    def read(root: Path, rel: str, *, limit: int) -> bytes:
        if rel == "locked.md":
            raise PermissionError(13, "Permission denied")
        return real_read(root, rel, limit=limit)

    monkeypatch.setattr(pipeline, "read_note", read)
    vault = load_vault(tmp_path, Config(), use_cache=False, jobs=1)
    [problem] = vault.notes["locked.md"].problems
    assert problem.rule == "unreadable-file" and "Permission denied" in problem.message
    assert len(vault.stories) == 1


def test_mistune_recursing_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """mistune >= 3.4 caps nesting itself; should a version recurse again, the note is reported."""
    import lpvault.blocks as blocks
    from lpvault.parse import parse_note

    def recurse(state: object, rules: object = None) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(blocks._MARKDOWN.block, "parse", recurse)
    note = parse_note("deep.md", b"- - - x\n")
    assert [(p.rule, p.line) for p in note.problems] == [("unreadable-file", 1)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_read_note_refuses_a_symlink_out_and_follows_one_inside(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("# Secret\n", encoding="utf-8")
    root = tmp_path / "vault"
    root.mkdir()
    (root / "real.md").write_text("# Real\n", encoding="utf-8")
    (root / "leak.md").symlink_to(tmp_path / "secret.md")
    (root / "alias.md").symlink_to(root / "real.md")
    with pytest.raises(NotFollowed):
        read_note(root, "leak.md", limit=1000)
    assert read_note(root, "alias.md", limit=1000) == b"# Real\n"
    assert sorted(n.path for n in scan_vault(root, Config()).notes) == ["alias.md", "leak.md", "real.md"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_read_note_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(NotRegular):
        read_note(tmp_path, "pipe.md", limit=1000)


def test_the_alias_bomb_limit_is_far_above_real_front_matter() -> None:
    from lpvault.frontmatter import split_front_matter

    tags = ", ".join(f"tag{i}" for i in range(500))
    front = split_front_matter(f"---\ntags: [{tags}]\nshared: &s {{a: 1}}\nother: [*s, *s]\n---\n")
    assert front.problems == () and len(front.data["tags"]) == 500  # type: ignore[index]
    assert MAX_EXPANDED_VALUES >= 10_000
