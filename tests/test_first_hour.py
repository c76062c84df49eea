"""What a new user meets in the first hour (issue 13): messages, exit codes and output, exactly."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lpvault.cli import main
from lpvault.config import load_config
from lpvault.watch import Watcher

from conftest import EXAMPLE_VAULT, copy_vault

COMPLETE = "## Ownership\n- Situation: the pager woke us nightly\n- Action: I rewrote the alerts\n- Result: 80% fewer pages\n"


def run(*args: str, **kwargs) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), **kwargs)
    return result.exit_code, result.stdout, result.stderr


def lpvault(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lpvault")
    assert command, "the lpvault console script is installed"
    return subprocess.run([command, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "v"
    root.mkdir()
    (root / "Ownership.md").write_text(COMPLETE, encoding="utf-8")
    return root


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


# -- 4. an output folder that is a file ------------------------------------------------------


def test_output_option_naming_a_file_is_a_clear_error(vault: Path) -> None:
    (vault / "OutFile").write_text("mine\n", encoding="utf-8")
    done = lpvault("index", str(vault), "--output", "OutFile")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"Error: {vault}/OutFile is a file, not a folder: the index notes cannot be written "
                           "there; move the file or change --output 'OutFile'\n")
    assert (vault / "OutFile").read_text(encoding="utf-8") == "mine\n"


def test_a_file_named_like_the_default_output_folder(vault: Path) -> None:
    (vault / "LP Index").write_text("mine\n", encoding="utf-8")
    assert run("index", str(vault)) == (2, "", f"Error: {vault}/LP Index is a file, not a folder: the index notes "
                                        "cannot be written there; move the file or change the folder with "
                                        "--output or 'output' in lpvault.toml\n")
    (vault / "lpvault.toml").write_text("output = 'LP Index'\n", encoding="utf-8")
    assert run("index", str(vault), "--check")[2].endswith("; move the file or change 'output' in lpvault.toml\n")
    assert run("watch", str(vault))[0] == 2


def test_watch_says_once_that_a_file_is_in_the_way(vault: Path) -> None:
    (vault / "LP Index").write_text("mine\n", encoding="utf-8")
    lines: list[tuple[str, str]] = []
    watcher = Watcher(vault, load_config(vault), log=lambda level, message: lines.append((level, message)))
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: watcher.cycles == 1, "the first cycle")
        for n in (1, 2):
            (vault / f"Note {n}.md").write_text(COMPLETE, encoding="utf-8")
            wait_until(lambda: watcher.cycles == 1 + n, f"cycle {1 + n}")
        (vault / "LP Index").unlink()
        (vault / "Note 3.md").write_text(COMPLETE, encoding="utf-8")
        wait_until(lambda: (vault / "LP Index" / "Ownership.md").is_file(), "the index, once the file is gone")
    finally:
        watcher.stop()
        thread.join(timeout=60)
    errors = [message for level, message in lines if level == "error"]
    assert errors == [f"[watch] {vault}/LP Index is a file, not a folder: the index notes cannot be written there; "
                      "move the file or change the folder with --output or 'output' in lpvault.toml"]


# -- 10. config errors -------------------------------------------------------------------------


def test_config_errors_are_all_listed_with_file_line_and_a_suggestion(vault: Path) -> None:
    (vault / "lpvault.toml").write_text("outptu = 'x'\nword_budget = 'long'\n\n[rules]\nwe-not-me = 'off'\n"
                                        "LPV101 = 'loud'\n", encoding="utf-8")
    code, out, err = run("lint", str(vault))
    assert (code, out) == (2, "")
    assert err == (f"Error: {vault}/lpvault.toml:1: unknown key 'outptu' (did you mean 'output'?)\n"
                   f"Error: {vault}/lpvault.toml:2: 'word_budget' must be a whole number, not str 'long'\n"
                   f"Error: {vault}/lpvault.toml:5: 'rules': unknown rule 'we-not-me' (did you mean 'we-not-i'?)\n"
                   f"Error: {vault}/lpvault.toml:6: 'rules.LPV101' must be one of error, warning, info, off, "
                   "not 'loud'\n")


def test_an_unreadable_config_names_the_line(vault: Path) -> None:
    (vault / "lpvault.toml").write_text("output = 'x'\nword_budget = = 3\n", encoding="utf-8")
    assert run("index", str(vault)) == (2, "", f"Error: {vault}/lpvault.toml:2: cannot read it as TOML: "
                                        "Invalid value\n")


def test_an_output_option_is_reported_as_the_option(vault: Path) -> None:
    (vault / "pyproject.toml").write_text("[tool.lpvault]\noutput = '../up'\n", encoding="utf-8")
    assert run("index", str(vault)) == (2, "", f"Error: {vault}/pyproject.toml:2: 'output' must be a folder inside "
                                        "the vault (like \"LP Index\"), not '../up'\n")
    assert run("index", str(vault), "--output", "/tmp/x") == (
        2, "", "Error: --output '/tmp/x': must be a folder inside the vault (like \"LP Index\")\n")


# -- 5. colour -------------------------------------------------------------------------------

SKELETON_NOTE = "## Think Big\n- Situation:\n- Action:\n- Result:\n"
RED_LINE = ("\x1b[1ma.md\x1b[0m:2:1: \x1b[31m\x1b[1merror LPV101\x1b[0m story 'Think Big' is a blank STAR skeleton: "
            "fill it in or delete it\n")
PLAIN_LINE = "a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or delete it\n"


@pytest.mark.parametrize(("env", "args", "line"), [
    ({}, [], RED_LINE),  # a terminal (the runner's color=True stands for one)
    ({"NO_COLOR": "1"}, [], PLAIN_LINE),
    ({"NO_COLOR": ""}, [], RED_LINE),  # no-color.org: set and not empty
    ({"NO_COLOR": "1"}, ["lint", "--color"], RED_LINE),
    ({"NO_COLOR": "1"}, ["--color"], RED_LINE),
    ({}, ["lint", "--no-color"], PLAIN_LINE),
    ({}, ["--no-color"], PLAIN_LINE),
])
def test_colour_follows_no_color_and_the_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                 args: list[str], line: str) -> None:
    (tmp_path / "a.md").write_text(SKELETON_NOTE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before, after = (args, ["lint"]) if args[:1] != ["lint"] else ([], args)
    code, out, _ = run(*before, *after, "--select", "LPV101", "-q", color=True, env=env)
    assert (code, out) == (1, line)


def test_every_command_takes_the_colour_options(tmp_path: Path) -> None:
    for command in ("index", "lint", "stories", "notes", "rules", "watch", "init", "new"):
        assert "--color / --no-color" in run(command, "--help")[1], command
    assert run("--no-color", "rules")[0] == 0 and run("rules", "--color")[0] == 0


def test_the_installed_command_honours_no_color(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(SKELETON_NOTE, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    assert lpvault("lint", "--color", "-q", "--select", "LPV101", cwd=tmp_path, env=env).stdout == RED_LINE
    assert lpvault("lint", "-q", "--select", "LPV101", cwd=tmp_path, env=env).stdout == PLAIN_LINE


# -- 6. severity on each line, a summary ------------------------------------------------------------


def test_lint_text_has_the_severity_and_a_summary_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(SKELETON_NOTE + "\n##Weak:\n" + COMPLETE.replace("80% fewer", "fewer"),
                                   encoding="utf-8")
    (tmp_path / "lpvault.toml").write_text("", encoding="utf-8")
    done = lpvault("lint", "--ignore", "LPV302", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (1, (
        "a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or delete it\n"
        "a.md:6:1: warning LPV201 '##' needs a space after it to make a heading: '## Weak:'\n"
        "a.md:10:1: info LPV104 the Result of story 'Ownership' has no number or measurable outcome\n"
        "3 findings: 1 error, 1 warning, 1 info\n"), "")
    quiet = lpvault("lint", "--ignore", "LPV302", "--quiet", cwd=tmp_path)
    assert quiet.stdout == done.stdout.rsplit("3 findings", 1)[0]
    clean = lpvault("lint", "--select", "LPV203", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "0 findings\n")


# -- 7 and issue 12: one vault-level finding, none without stories ---------------------------------


def test_a_new_vault_gets_one_coverage_finding_at_a_file_an_editor_opens(vault: Path) -> None:
    code, out, _ = run("lint", str(vault), "--select", "LPV302")
    hub = f"{vault}/LP Index/Leadership Principles.md"
    assert (code, out) == (0, f"{hub}:1:1: warning LPV302 15 of 16 principles have no complete story: "
                              "'Customer Obsession', 'Invent and Simplify', 'Are Right, A Lot', 'Learn and Be Curious', "
                              "'Hire and Develop the Best', 'Insist on the Highest Standards', 'Think Big', "
                              "'Bias for Action', 'Frugality', 'Earn Trust', 'Dive Deep', "
                              "'Have Backbone; Disagree and Commit', 'Deliver Results', "
                              "'Strive to be Earth's Best Employer', 'Success and Scale Bring Broad Responsibility'\n"
                              "1 finding: 1 warning\n")
    (vault / "lpvault.toml").write_text("word_budget = 400\n", encoding="utf-8")
    assert run("lint", str(vault), "--select", "LPV302", "-q")[1].startswith(f"{vault}/lpvault.toml:1:1: warning LPV302 ")
    assert "hub note (LP Index/Leadership Principles.md)" in " ".join(run("lint", "--help")[1].split())


def test_a_vault_without_stories_has_no_vault_level_findings(tmp_path: Path) -> None:
    (tmp_path / "Lecture.md").write_text("# Lecture 3\n\nThe proof uses induction on n.\n", encoding="utf-8")
    assert run("lint", str(tmp_path)) == (0, "0 findings\n", "")


# -- 8. the pre-commit index hook says what to stage ------------------------------------------------


def test_fail_on_change_names_the_index_notes_to_stage(vault: Path) -> None:
    (vault / "lpvault.toml").write_text("principles_preset = 'none'\n[[principles]]\nname = 'Ownership'\n",
                                        encoding="utf-8")
    done = lpvault("index", str(vault), "--quiet", "--fail-on-change")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("lpvault index: 2 index notes written or removed; stage them (git add) and commit again:\n"
                           "  LP Index/Leadership Principles.md\n  LP Index/Ownership.md\n")
    again = lpvault("index", str(vault), "--quiet", "--fail-on-change")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


# -- 9. the index summary --------------------------------------------------------------------------


def test_index_summary_counts_right_and_names_what_was_not_read(vault: Path) -> None:
    (vault / "lpvault.toml").write_text("principles_preset = 'none'\n[[principles]]\nname = 'Ownership'\n",
                                        encoding="utf-8")
    (vault / "Broken.md").write_bytes(b"\xff\xfe\x00 not text")
    (vault / "Gone.md").write_bytes(b"\x00\x01binary")
    (vault / "Blank.md").write_text("## Ownership\n### Pager\n- Situation:\n- Action:\n- Result:\n", encoding="utf-8")
    first = lpvault("index", str(vault))
    assert first.returncode == 0
    assert first.stdout.startswith("4 notes, 2 stories (1 complete, 0 partial, 1 blank, 0 unstructured; lpvault lint "
                                   "lists the 1 to finish); 2 index notes written, 0 unchanged; ")
    assert first.stderr == "2 notes could not be read (see lpvault lint)\n"
    (vault / "Broken.md").unlink()
    (vault / "Gone.md").unlink()
    # the hub changes (its note count), Ownership's note does not
    second = lpvault("index", str(vault))
    assert second.stdout.startswith("2 notes, 2 stories (1 complete, 0 partial, 1 blank, 0 unstructured; lpvault "
                                    "lint lists the 1 to finish); 1 index note written, 1 unchanged; ")
    assert second.stderr == ""


# -- 12. the command line ------------------------------------------------------------------------


def test_bare_lpvault_prints_help_and_exits_0() -> None:
    done = lpvault()
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Usage: lpvault [OPTIONS] [COMMAND] [ARGS]...\n")
    commands = done.stdout.split("Commands:\n", 1)[1]
    assert commands == (
        "  index    Write the index notes: one per principle and the hub.\n"
        "  init     Write a commented lpvault.toml with every default.\n"
        "  lint     Report unfinished stories, broken links and other findings.\n"
        "  new      Write a blank STAR skeleton note for a new story.\n"
        "  notes    Print the tags, headings and links of every note.\n"
        "  rules    List every lint rule with its code and severity.\n"
        "  stories  Print the story bank (table, JSON or CSV).\n"
        "  watch    Index, then update the index notes on every save.\n")


def test_every_option_has_help_text() -> None:
    import click

    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts[0]}"


def test_new_takes_the_vault_as_argument_or_option_and_a_folder(vault: Path) -> None:
    assert run("new", "Pager fatigue", str(vault), "-p", "Ownership", "--folder", "Stories/2024") == (
        0, f"wrote {vault}/Stories/2024/Pager fatigue.md\n", "")
    assert run("new", "Alert budget", "--vault", str(vault), "-p", "Ownership") == (
        0, f"wrote {vault}/Alert budget.md\n", "")
    code, _, err = run("new", "Out", str(vault), "-p", "Ownership", "--folder", "../elsewhere")
    assert code == 2 and err.endswith("Error: Invalid value for '--folder': '../elsewhere' must be a folder inside "
                                      "the vault\n")
    assert not (vault.parent / "elsewhere").exists()
    code, _, err = run("new", "Two", str(vault), "--vault", str(vault / "Stories"), "-p", "Ownership")
    assert code == 2 and "two vaults given" in err


# -- 13-15. the generated notes -------------------------------------------------------------------


def test_the_hub_starts_with_the_gaps_and_shows_every_principle(tmp_path: Path) -> None:
    (tmp_path / "lpvault.toml").write_text(
        "principles_preset = 'none'\n" + "".join(f"[[principles]]\nname = '{n}'\n" for n in ("Ownership", "Frugality",
                                                                                            "Think Big")),
        encoding="utf-8")
    (tmp_path / "Pager.md").write_text(COMPLETE, encoding="utf-8")
    (tmp_path / "Ideas.md").write_text("## Think Big\n### Moonshot\n- Situation: the roadmap\n- Action:\n- Result:\n",
                                       encoding="utf-8")
    assert run("index", str(tmp_path))[0] == 0
    hub = (tmp_path / "LP Index" / "Leadership Principles.md").read_text(encoding="utf-8")
    body = hub.split("# Leadership Principles\n\n", 1)[1]
    assert body.split("## Unassigned")[0] == (
        "2 stories in 2 notes: 1 complete, 1 partial, 0 blank, 0 unstructured.\n\n"
        "## Gaps to fill first (2)\n\n"
        "- [[Frugality]]: no story yet\n"
        "- [[Think Big]]: no complete story yet; finish [[Ideas#Moonshot|Moonshot]]\n\n"
        "## Coverage\n\n"
        "| Principle | Ready | Stories | Complete | Partial | Blank | Unstructured |\n"
        "| --- | :---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| [[Ownership]] | ✓ | 1 | 1 | 0 | 0 | 0 |\n"
        "| [[Frugality]] | ✗ | 0 | 0 | 0 | 0 | 0 |\n"
        "| [[Think Big]] | ✗ | 1 | 0 | 1 | 0 | 0 |\n\n")
    assert body.split("## Lint\n\n")[1] == (
        "- LPV102 missing-part: 1\n- LPV302 principle-without-story: 1\n\n"
        "Notes with the most findings (`lpvault lint` lists them):\n\n- [[Ideas]]: 1\n")
    page = (tmp_path / "LP Index" / "Ownership.md").read_text(encoding="utf-8")
    assert "- [[Pager#Ownership|Ownership]]: complete, 12 words (≈ 10 s)\n  - Result: 80% fewer pages\n" in page


@pytest.mark.parametrize(("text", "limit", "cut"), [
    ("short enough", 20, "short enough"),
    ("tickets fell by a third, and two other teams adopted it", 30, "tickets fell by a third, and…"),
    ("tickets fell by a third, and two other teams adopted it", 27, "tickets fell by a third…"),
    ("tickets fell by a third and two", 28, "tickets fell by a third and…"),
    ("ends exactly at a word boundary here", 22, "ends exactly at a…"),
    ("Supercalifragilisticexpialidocious", 10, "Supercali…"),
])
def test_excerpts_are_cut_at_a_word_with_an_ellipsis(text: str, limit: int, cut: str) -> None:
    from lpvault.index import cut_at_word

    assert cut_at_word(text, limit) == cut and len(cut) <= limit


@pytest.mark.parametrize(("words", "spoken"), [
    (0, "≈ 10 s"), (14, "≈ 10 s"), (100, "≈ 40 s"), (130, "≈ 50 s"), (140, "≈ 1 min"), (225, "≈ 1.5 min"),
    (300, "≈ 2 min"), (450, "≈ 3 min"), (520, "≈ 3.5 min"),
])
def test_spoken_length_at_150_words_a_minute(words: int, spoken: str) -> None:
    from lpvault.index import spoken_length

    assert spoken_length(words) == spoken


# -- 16. the watch line says what changed for the user ------------------------------------------------

PARTIAL = "## Think Big\n### Moonshot\n- Situation: the roadmap was timid\n- Action: I pitched a bigger bet\n- Result:\n"


def test_the_watch_line_says_what_changed_for_the_user(tmp_path: Path) -> None:
    (tmp_path / "lpvault.toml").write_text(
        "principles_preset = 'none'\n[[principles]]\nname = 'Ownership'\n[[principles]]\nname = 'Think Big'\n",
        encoding="utf-8")
    (tmp_path / "Pager.md").write_text(COMPLETE, encoding="utf-8")
    (tmp_path / "Ideas.md").write_text(PARTIAL, encoding="utf-8")
    for note in ("Pager.md", "Ideas.md"):  # saved an hour ago: the cache trusts their stamps
        os.utime(tmp_path / note, (time.time() - 3600, time.time() - 3600))
    assert run("index", str(tmp_path))[0] == 0  # leaves the parse cache the watch starts from
    lines: list[str] = []
    watcher = Watcher(tmp_path, load_config(tmp_path), log=lambda level, message: lines.append(message))
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    cycle_lines = lambda: [line for line in lines if line.startswith("[watch] ") and " ms" in line]  # noqa: E731
    try:
        wait_until(lambda: cycle_lines(), "the first cycle")
        (tmp_path / "Ideas.md").write_text(PARTIAL.replace("- Result:", "- Result: 3 new markets in a year"),
                                           encoding="utf-8")
        wait_until(lambda: len(cycle_lines()) == 2, "the cycle of the edit")
        (tmp_path / "Pager.md").write_text(COMPLETE.replace("I rewrote the alerts", ""), encoding="utf-8")
        wait_until(lambda: len(cycle_lines()) == 3, "the cycle of the second edit")
    finally:
        watcher.stop()
        thread.join(timeout=60)
    first, edit, broke = (re.sub(r", \d+ ms$", "", line) for line in cycle_lines())
    assert first == ("[watch] 2 notes read (2 from the parse cache), 0 index notes written")
    assert edit == ("[watch] 1 note re-parsed (Ideas.md), Think Big: 1 story now complete, -2 findings, "
                    "2 index notes written (Leadership Principles, Think Big)")
    assert broke == ("[watch] 1 note re-parsed (Pager.md), Ownership: no complete story now, "
                     "+2 findings (LPV102 missing-part in Pager.md:3, LPV302 principle-without-story in "
                     "lpvault.toml:1), 2 index notes written (Leadership Principles, Ownership)")


def test_progress_counts_findings_of_notes_that_came_went_or_moved_lines() -> None:
    from lpvault.findings import Finding, Severity
    from lpvault.progress import Snapshot, describe

    def finding(path: str, line: int, code: str = "LPV102") -> Finding:
        return Finding(path, line, 1, code, "missing-part", Severity.WARNING, f"story in {path} has a blank Result")

    kept = [finding("kept.md", 3)]
    before = Snapshot({"Think Big": 0, "Frugality": 2}, {"kept.md": kept, "moved.md": [finding("moved.md", 3)],
                                                         "gone.md": [finding("gone.md", 1)]}, {}, ())
    after = Snapshot({"Think Big": 1, "Frugality": 0}, {"kept.md": kept, "moved.md": [finding("moved.md", 9)],
                                                        "new.md": [finding("new.md", 4), finding("new.md", 7, "LPV103")]},
                     {}, ())
    assert describe(before, after) == ["Think Big: 1 story now complete", "Frugality: no complete story now",
                                       "+2 findings (LPV102 missing-part in new.md:4, LPV103 missing-part in new.md:7)",
                                       "-1 finding"]
    assert describe(None, after) == [] and describe(after, after) == []


def test_the_default_output_folder_is_checked_too(tmp_path: Path) -> None:
    (tmp_path / "v").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "v" / "LP Index").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert run("index", str(tmp_path / "v")) == (2, "", "Error: 'output' must be a folder inside the vault, "
                                                     "not 'LP Index'\n")
    assert list((tmp_path / "elsewhere").iterdir()) == []
