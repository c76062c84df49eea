"""Nothing is lost and nothing is written where it should not be.

lpvault runs on the only copy of someone's notes, and on vaults and template
folders other people share: every file outside the output folder stays byte for
byte the same through index, lint and a watch session; names from user data
never lead a write outside the output folder or to an invalid file name;
templates are sandboxed; config mistakes are exit 2 naming the key.
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from lpvault import obsidian
from lpvault.cli import main
from lpvault.config import Config
from lpvault.parse import parse_note
from lpvault.pipeline import run_index
from lpvault.write import OutsideOutput, checked_output_path, remove_stale, write_outputs
from test_bad_input import GOOD, STORY, bad_corpus

STATE_DIR = ".lpvault"  # lpvault's own cache and lock: the one folder besides the output it may write
TIMEOUT = 120.0
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def lpvault_command() -> list[str]:
    """The installed console script (what users run), else `python -m lpvault`."""
    script = Path(sys.executable).with_name("lpvault")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lpvault"]


def run_lpvault(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*lpvault_command(), *args], capture_output=True, text=True, timeout=TIMEOUT)


def snapshot(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Vault-relative path -> what it is: a file's SHA-256, a symlink's target, a
    FIFO's mode. Symlinks are recorded, never followed; `skip` top-level folders."""
    found: dict[str, str] = {}
    for directory, folders, files in os.walk(folder):
        rel_dir = os.path.relpath(directory, folder)
        folders[:] = [f for f in folders if not (rel_dir == "." and f in skip)]
        for name in folders + files:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, folder)] = _fingerprint(path)
    return found


def _fingerprint(path: str) -> str:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "link -> " + os.readlink(path)
    if stat.S_ISREG(info.st_mode):
        with open(path, "rb") as handle:
            return "file " + hashlib.sha256(handle.read()).hexdigest()
    return f"mode {stat.S_IFMT(info.st_mode):o}"


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


# -- 2. nothing is lost ------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """The whole bad-input corpus in a vault, and the folder its symlinks lead to."""
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    bad_corpus(vault, outside)
    return vault, outside


def _hashes(vault: Path, outside: Path) -> tuple[dict[str, str], dict[str, str]]:
    return snapshot(vault, skip=("LP Index", STATE_DIR)), snapshot(outside)


def test_index_lint_and_watch_change_nothing_outside_the_output_folder(corpus: tuple[Path, Path]) -> None:
    vault, outside = corpus
    before = _hashes(vault, outside)
    index = run_lpvault("index", str(vault))
    assert index.returncode == 0 and "Traceback" not in index.stderr, index.stderr
    assert _hashes(vault, outside) == before
    lint = run_lpvault("lint", str(vault), "--format", "json")
    assert lint.returncode == 1 and "Traceback" not in lint.stderr, lint.stderr
    assert _hashes(vault, outside) == before
    _watch_session(vault)
    assert _hashes(vault, outside) == before
    assert (vault / "LP Index" / "Customer Obsession.md").is_file()


def _watch_session(vault: Path) -> None:
    """`lpvault watch` over the corpus: the first index, one cycle for a note that
    comes and goes, then SIGTERM. The note is ours, so the vault ends as it began."""
    proc = subprocess.Popen([*lpvault_command(), "watch", str(vault)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out: list[str] = []
    threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True).start()  # type: ignore[arg-type]
    try:
        wait_until(lambda: any("watching" in line for line in out) or proc.poll() is not None, "the watcher")
        assert proc.poll() is None, out
        page = vault / "LP Index" / "Think Big.md"
        (vault / "visitor.md").write_text("# Think Big\n\n## Visit\n- Situation: s\n- Action: I a\n- Result: 3x\n",
                                          encoding="utf-8")
        wait_until(lambda: "Visit" in page.read_text(encoding="utf-8"), "the watcher to index a new note")
        (vault / "visitor.md").unlink()
        wait_until(lambda: "Visit" not in page.read_text(encoding="utf-8"), "the watcher to drop it again")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=TIMEOUT) == 0
        stderr = proc.stderr.read() if proc.stderr else ""
        assert "Traceback" not in stderr, stderr


def test_a_users_file_in_the_output_folder_is_never_overwritten_nor_removed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(STORY, encoding="utf-8")
    output = tmp_path / "LP Index"
    output.mkdir()
    (output / "Customer Obsession.md").write_text("my own notes\n", encoding="utf-8")
    (output / "Old Principle.md").write_text("---\ntitle: mine\n---\nno marker\n", encoding="utf-8")
    result = run_index(tmp_path, Config(), jobs=1)
    assert result.refused == ["LP Index/Customer Obsession.md"]
    assert (output / "Customer Obsession.md").read_text(encoding="utf-8") == "my own notes\n"
    assert (output / "Old Principle.md").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_in_the_output_folder_is_never_written_through(tmp_path: Path) -> None:
    precious = tmp_path / "precious.md"
    precious.write_text("---\nlpvault: generated\n---\nlooks generated, is not ours\n", encoding="utf-8")
    vault = tmp_path / "vault"
    (vault / "LP Index").mkdir(parents=True)
    (vault / "a.md").write_text(STORY, encoding="utf-8")
    (vault / "LP Index" / "Customer Obsession.md").symlink_to(precious)
    (vault / "LP Index" / "Gone Principle.md").symlink_to(precious)
    result = run_index(vault, Config(), jobs=1)
    assert "LP Index/Customer Obsession.md" in result.refused
    assert precious.read_text(encoding="utf-8").endswith("is not ours\n")
    assert (vault / "LP Index" / "Gone Principle.md").is_symlink()  # a stale symlink is not removed either


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_in_the_output_folder_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "LP Index").mkdir()
    os.mkfifo(tmp_path / "LP Index" / "Customer Obsession.md")
    report = write_outputs(tmp_path, {"LP Index/Customer Obsession.md": "---\nlpvault: generated\n---\n"}, "LP Index")
    assert report.refused == ["LP Index/Customer Obsession.md"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_index_notes_get_the_usual_mode_and_keep_one_the_user_chose(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(STORY, encoding="utf-8")
    run_index(tmp_path, Config(), jobs=1)
    page = tmp_path / "LP Index" / "Customer Obsession.md"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    page.chmod(0o640)
    (tmp_path / "a.md").write_text(STORY.replace("40%", "50%"), encoding="utf-8")
    assert "LP Index/Customer Obsession.md" in run_index(tmp_path, Config(), jobs=1).written
    assert stat.S_IMODE(page.stat().st_mode) == 0o640


def test_a_killed_runs_temp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    output = tmp_path / "LP Index"
    output.mkdir()
    leftovers = [".Dive Deep.md.k3_x9a2b.tmp", ".Leadership Principles.md.abcdefgh.tmp"]
    kept = [".Dive Deep.md.TOOLONG99.tmp", "Dive Deep.md.abcdefgh.tmp", ".notes.txt", ".x.md.abcdefgh.tmp.bak"]
    for name in leftovers + kept:
        (output / name).write_text("x", encoding="utf-8")
    write_outputs(tmp_path, {}, "LP Index")
    assert sorted(p.name for p in output.iterdir()) == sorted(kept)


@pytest.mark.parametrize("rel", ["../x.md", "LP Index/../x.md", "LP Index/sub/x.md", "Other/x.md", "LP Index/",
                                 "LP Index/..", "LP Index/a\\..\\..\\x.md", "x.md"])
def test_write_outputs_refuses_any_path_not_directly_in_the_output_folder(tmp_path: Path, rel: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    with pytest.raises(OutsideOutput):
        checked_output_path(vault, "LP Index", rel)
    report = write_outputs(vault, {rel: "---\nlpvault: generated\n---\n"}, "LP Index")
    assert report.refused == [rel] and report.written == []
    assert snapshot(tmp_path) == {"vault": "mode 40000"}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_an_output_folder_that_leads_outside_is_refused_at_write_time_too(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "old.md").write_text("---\nlpvault: generated\n---\n", encoding="utf-8")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "LP Index").symlink_to(outside, target_is_directory=True)
    report = write_outputs(vault, {"LP Index/x.md": "---\nlpvault: generated\n---\n"}, "LP Index")
    assert report.refused == ["LP Index/x.md"]
    assert remove_stale(vault, "LP Index", set()) == []
    assert sorted(p.name for p in outside.iterdir()) == ["old.md"]


def _vault_with_state_link(tmp_path: Path, target: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text(STORY, encoding="utf-8")
    (vault / STATE_DIR).symlink_to(target, target_is_directory=True)
    return vault


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_the_cache_is_not_written_through_a_state_folder_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    vault = _vault_with_state_link(tmp_path, outside)
    assert run_lpvault("index", str(vault)).returncode == 0
    assert list(outside.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_the_watch_lock_is_not_written_through_a_state_folder_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    vault = _vault_with_state_link(tmp_path, outside)
    proc = subprocess.Popen([*lpvault_command(), "watch", str(vault)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: (vault / "LP Index" / "Leadership Principles.md").exists() or proc.poll() is not None,
                   "the first index")
        assert list(outside.iterdir()) == []
    finally:
        proc.kill()
        proc.communicate(timeout=TIMEOUT)


@pytest.mark.parametrize("kind", ["file", "dangling link"])
def test_a_state_folder_that_is_not_a_folder_is_not_a_crash(tmp_path: Path, kind: str) -> None:
    (tmp_path / "a.md").write_text(STORY, encoding="utf-8")
    if kind == "file":
        (tmp_path / STATE_DIR).write_text("shared by someone\n", encoding="utf-8")
    elif hasattr(os, "symlink"):
        (tmp_path / STATE_DIR).symlink_to(tmp_path / "missing", target_is_directory=True)
    done = run_lpvault("index", str(tmp_path))
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr
    assert (tmp_path / "LP Index" / "Leadership Principles.md").exists()


# -- 3. names from user data -------------------------------------------------------------

HOSTILE_NAMES = ["../../x", "CON", "a/b", "x:y", "y" * 300, "Com1.txt", "nul", "a|b]]c#d^e", "tab\there",
                 "trailing. ", "<>\"?*", "\\\\server\\share", "x\u0000y", "LPT1", "aux.md"]


def _windows_valid(name: str) -> bool:
    stem = name.split(".")[0].rstrip(" ").upper()
    return (not re.search(r'[<>:"/\\|?*\x00-\x1f]', name) and not name.endswith((" ", "."))
            and stem not in WINDOWS_RESERVED and len(name.encode("utf-8")) <= 255 and name not in (".", ".."))


def test_hostile_principle_names_stay_in_the_output_folder_with_valid_names(tmp_path: Path) -> None:
    vault, outside = tmp_path / "deep" / "vault", tmp_path / "deep"
    vault.mkdir(parents=True)
    toml_names = ", ".join('{ name = "' + n.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
                           .replace("\u0000", "\\u0000") + '" }' for n in HOSTILE_NAMES)
    (vault / "lpvault.toml").write_text(f"principles = [{toml_names}]\n", encoding="utf-8")
    (vault / "a.md").write_text(STORY, encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(vault)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in outside.iterdir()) == ["vault"]  # nothing next to the vault
    written = sorted((vault / "LP Index").iterdir())
    assert all(p.is_file() and p.suffix == ".md" and _windows_valid(p.name) for p in written), written
    assert len({p.name.casefold() for p in written}) == len(written)  # no two differ only in case
    assert len(written) >= 16 + 1 + 10  # no hostile principle lost to a collision


def test_a_principle_name_with_nothing_left_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "lpvault.toml").write_text('principles = [{ name = " .. " }]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(tmp_path)])
    assert result.exit_code == 2 and "'name' ' .. ' has nothing left" in result.output


@pytest.mark.parametrize("name", HOSTILE_NAMES + ["", " ", "...", "..", " .. ", "-", "CON.md", "a" * 1000])
def test_safe_file_name_is_valid_everywhere(name: str) -> None:
    assert _windows_valid(obsidian.safe_file_name(name) + ".md")


def test_link_text_with_link_syntax_still_opens_the_story(tmp_path: Path) -> None:
    titles = ["a|b", "x]]y", "C# and F#", "2^10 wins", "[[Other]]", "{{ 7*7 }}", "{% include 'x' %}", "50% of #tags"]
    body = "# Customer Obsession\n\n" + "".join(
        f"## {t}\n\n- Situation: s\n- Action: I did it\n- Result: 10% better\n\n" for t in titles)
    (tmp_path / "Stories.md").write_text(body, encoding="utf-8")
    run_index(tmp_path, Config(), jobs=1)
    page_path = "LP Index/Customer Obsession.md"
    text = (tmp_path / page_path).read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in text and "{% include 'x' %}" in text and "49" not in text  # note text is data
    page = parse_note(page_path, text.encode("utf-8"))
    note = parse_note("Stories.md", body.encode("utf-8"))
    resolver = obsidian.LinkResolver(["Stories.md", page_path])
    opened = set()
    for link in page.links:
        if resolver.resolve(link.target, page_path) == "Stories.md":
            index = obsidian.resolve_subpath(link.subpath or "", note.headings)
            assert index is not None, link
            opened.add(note.headings[index].text)
    assert opened == set(titles)


# -- 4. templates --------------------------------------------------------------------------


def _templated_vault(tmp_path: Path, template: str) -> Path:
    vault = tmp_path / "vault"
    (vault / "templates").mkdir(parents=True)
    for path, text in GOOD.items():
        (vault / path).parent.mkdir(parents=True, exist_ok=True)
        (vault / path).write_text(text, encoding="utf-8")
    (vault / "lpvault.toml").write_text('templates_dir = "templates"\n', encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(vault)]).exit_code == 0  # the previous index notes
    (vault / "templates" / "principle.md.j2").write_text(template, encoding="utf-8")
    return vault


@pytest.mark.parametrize("template, line, says", [
    ("---\n{{ marker }}\n---\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n", 4, "unsafe"),
    ("---\n{{ marker }}\n---\n{{ cycler.__init__.__globals__.os.system('touch PWNED') }}\n", 4, "unsafe"),
    ("---\n{{ marker }}\n---\n{% include '../../../../../../etc/passwd' %}\n", 4, "not found"),
    ("---\n{{ marker }}\n---\n{{ 'x' * 10**10 }}\n", 4, "product"),
    ("---\n{{ marker }}\n---\n{% for %}\n", 4, "Expected"),
    ("---\n{{ marker }}\n---\n\n{{ 1 / 0 }}\n", 5, "ZeroDivisionError"),
    ("---\n{{ marker }}\n---\n{{ no_such_name.attr }}\n", 4, "undefined"),
])
def test_a_broken_or_hostile_template_is_exit_2_and_the_index_stays(tmp_path: Path, template: str, line: int,
                                                                   says: str) -> None:
    vault = _templated_vault(tmp_path, template)
    before = snapshot(vault, skip=(STATE_DIR,))
    result = CliRunner().invoke(main, ["index", str(vault)])
    assert result.exit_code == 2, result.output
    assert f"principle.md.j2, line {line}" in result.output and says in result.output
    assert snapshot(vault, skip=(STATE_DIR,)) == before
    assert not (vault / "PWNED").exists() and not Path("PWNED").exists()


def test_the_installed_command_reports_a_broken_template_with_exit_2(tmp_path: Path) -> None:
    vault = _templated_vault(tmp_path, "---\n{{ marker }}\n---\n{% if %}\n")
    done = run_lpvault("index", str(vault))
    assert done.returncode == 2 and "principle.md.j2, line 4" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_template_cannot_include_a_file_through_a_symlink(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    vault = _templated_vault(tmp_path, "---\n{{ marker }}\n---\n{% include 'key.j2' %}\n")
    (vault / "templates" / "key.j2").symlink_to(secret)
    result = CliRunner().invoke(main, ["index", str(vault)])
    assert result.exit_code == 2 and "'key.j2' not found" in result.output
    assert not any("PRIVATE KEY" in p.read_text(encoding="utf-8") for p in (vault / "LP Index").iterdir())


# -- 6. config errors ------------------------------------------------------------------------

CONFIG_ERRORS = [
    ('word_budget = "long"', "'word_budget' must be a whole number"),
    ("bogus = 1", "unknown key 'bogus'"),
    ('output = "/tmp/elsewhere"', "'output' must be a folder inside the vault"),
    ('output = "../sibling"', "'output' must be a folder inside the vault"),
    ('output = "."', "'output' must be a folder inside the vault"),
    ('output = "LP Index/.."', "'output' must be a folder inside the vault"),
    ('output = ""', "'output' must be a folder inside the vault"),
    ("output = 3", "'output' must be a string"),
    ('templates_dir = "../../etc"', "'templates_dir' must be a folder inside the vault"),
    ("ignore = 'x'", "'ignore' must be a list"),
    ("max_file_size = -1", "'max_file_size' must not be negative"),
    ('link_style = "html"', "'link_style' must be one of"),
    ('principles = [{ name = "Leadership Principles" }]', "is the hub note's name"),
    ("principles = [{ name = 5 }]", "'name' is required"),
    ("x = " + "[" * 5000 + "]" * 5000, "nested too deep"),
    ("word_budget = 1" + "0" * 5000, "cannot read it as TOML"),
    ("word_budget = ", "cannot read it as TOML"),
]


@pytest.mark.parametrize("toml, says", CONFIG_ERRORS, ids=[c[1][:30] for c in CONFIG_ERRORS])
def test_a_config_mistake_is_exit_2_naming_the_key(tmp_path: Path, toml: str, says: str) -> None:
    (tmp_path / "a.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "lpvault.toml").write_text(toml + "\n", encoding="utf-8")
    for command in ("index", "lint"):
        result = CliRunner().invoke(main, [command, str(tmp_path)])
        assert result.exit_code == 2 and says in result.output, result.output
    assert not (tmp_path / "LP Index").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_an_output_folder_symlinked_outside_or_onto_the_root_is_exit_2(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (vault / "LP Index").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (vault / "Here").symlink_to(vault, target_is_directory=True)
    for output in ("LP Index", "Here"):
        result = CliRunner().invoke(main, ["index", str(vault), "--output", output])
        assert result.exit_code == 2 and f"--output '{output}': must be a folder inside the vault" in result.output
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_the_installed_command_reports_config_errors_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "lpvault.toml").write_text('output = "../out"\nword_budget = "x"\n', encoding="utf-8")
    for command in ("index", "lint"):
        done = run_lpvault(command, str(tmp_path))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "'word_budget' must be a whole number" in done.stderr or "'output'" in done.stderr
    assert not (tmp_path.parent / "out").exists()


def test_a_pyproject_with_a_strange_tool_table_is_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("tool = 5\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(STORY, encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(tmp_path)]).exit_code == 0
