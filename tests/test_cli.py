"""The command line, through click's runner and through the installed command."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from lpvault import __version__
from lpvault.cli import main

from conftest import EXAMPLE_VAULT, SEED_FIXTURES, copy_vault


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_installed_command_indexes_the_example_vault(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    command = shutil.which("lpvault")
    assert command, "the lpvault console script is installed"
    done = subprocess.run([command, "index", str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("12 notes, 19 stories (17 complete, 1 partial, 1 blank, 0 unstructured; lpvault lint "
                                  "lists the 2 to finish); 17 index notes written")
    assert (root / "LP Index" / "Leadership Principles.md").is_file()
    again = subprocess.run([command, "index", str(root)], capture_output=True, text=True, timeout=120)
    assert "0 index notes written, 17 unchanged" in again.stdout


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(["python", "-m", "lpvault", "--version"], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == f"lpvault, version {__version__}"


def test_index_output_option_and_quiet(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    code, output = run("index", str(root), "--output", "Interview Index", "--quiet")
    assert (code, output) == (0, "")
    assert (root / "Interview Index" / "Ownership.md").is_file()
    assert not (root / "LP Index").exists()


def test_index_check_reports_stale_notes_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    code, output = run("index", str(root), "--check")
    assert code == 1 and "LP Index/Ownership.md: out of date" in output
    assert not (root / "LP Index").exists()
    run("index", str(root))
    assert run("index", str(root), "--check") == (0, "")


def test_user_file_in_the_way_exits_1_with_a_message(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    (root / "LP Index").mkdir()
    (root / "LP Index" / "Frugality.md").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(root)])
    assert result.exit_code == 1
    assert "LP Index/Frugality.md: not written: a file lpvault did not generate is in the way" in result.output


def test_unknown_config_key_is_a_usage_error(tmp_path: Path) -> None:
    root = copy_vault(EXAMPLE_VAULT, tmp_path / "vault")
    (root / "lpvault.toml").write_text("outptu = 'x'\n", encoding="utf-8")
    code, output = run("index", str(root))
    assert code == 2 and "unknown key 'outptu'" in output


def test_missing_vault_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("index", str(tmp_path / "nope"))
    assert code == 2 and "no such folder" in output


def test_stories_json(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "v")
    code, output = run("stories", str(root), "--format", "json")
    assert code == 0
    data = json.loads(output)
    hugo = [d for d in data if d["note"] == "lp-hugo-behavioral.md"]
    third = hugo[3]
    assert third["title"] == "A time you found a problem nobody else had noticed"
    assert (third["status"], third["principles"], third["line"]) == ("partial", ["Earn Trust"], 27)
    assert third["parts"]["situation"] == {"text": "", "line": 28}
    assert third["parts"]["task"] is None
    assert third["link"] == "[[lp-hugo-behavioral#A time you found a problem nobody else had noticed|" \
                            "A time you found a problem nobody else had noticed]]"
    assert set(third["extras"]) == {"customer problem"}
    assert {"note", "title", "key", "principles", "status", "line", "end_line", "link", "words", "parts",
            "extras"} <= set(third)
    reused = [d for d in data if d["key"] == "QP4"]
    assert len(reused) == 1 and len(reused[0]["principles"]) == 2


def test_stories_csv_and_table(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "v")
    rows = list(csv.reader(io.StringIO(run("stories", str(root), "--format", "csv")[1])))
    assert rows[0] == ["note", "line", "title", "status", "words", "principles"]
    assert len(rows) == 1 + 40  # 41 occurrences, QP4 once
    table = run("stories", str(root))[1].splitlines()
    assert table[0].split() == ["note", "line", "title", "status", "words", "principles"]


def test_help_has_examples() -> None:
    for command in ("index", "stories"):
        code, output = run(command, "--help")
        assert code == 0 and "Examples:" in output


def test_the_installed_command_exits_with_its_output_flushed(tmp_path: Path) -> None:
    """`lpvault` leaves through cli.leave (os._exit, no teardown): the whole report reaches
    the pipe, and the exit code is the command's (1 for findings, 2 for a usage error)."""
    root = copy_vault(SEED_FIXTURES, tmp_path / "vault")
    command = shutil.which("lpvault")
    assert command
    expected = CliRunner().invoke(main, ["lint", str(root), "--fail-on", "info"])
    done = subprocess.run([command, "lint", str(root), "--fail-on", "info"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (1, expected.output) and done.stdout.count("\n") > 10
    usage = subprocess.run([command, "lint", str(root), "--select", "NOPE"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "unknown rule 'NOPE'" in usage.stderr


def test_leave_exits_as_sys_exit_would() -> None:
    """cli.run ends in os._exit: None is 0, a number is itself, text is printed and exits 1."""
    script = ("import sys\nimport lpvault.cli as cli\n"
              "cli.main = lambda: sys.exit(sys.argv[1] if not sys.argv[1].isdigit() else int(sys.argv[1]))\n"
              "print('flushed', end='')\ncli.run()\n")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # what os._exit would lose
    for argument, code, err in (("0", 0, ""), ("3", 3, ""), ("went wrong", 1, "went wrong\n")):
        done = subprocess.run(["python", "-c", script, argument], capture_output=True, text=True, timeout=60,
                              env=buffered)
        assert (done.returncode, done.stdout, done.stderr) == (code, "flushed", err)
