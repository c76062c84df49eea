"""The real pre-commit, in a throwaway git repository, running this checkout's committed hooks.

Slow-ish (the first run builds the hook's virtualenv from the checkout's HEAD, with
packages from PyPI; later runs reuse it from pytest's cache folder), but part of the
default run: it is the only test of `.pre-commit-hooks.yaml` as users meet it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

COMPLETE = "## Ownership\n- Situation: the pager woke us nightly\n- Action: I rewrote the alerts\n- Result: 80% fewer pages\n"
SKELETON = "## Think Big\n- Situation:\n- Action:\n- Result:\n"


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def _checkout_head() -> str:
    """The checkout's HEAD sha, or a skip when HEAD has no hook manifest (pre-commit only sees commits)."""
    if _git("cat-file", "-e", "HEAD:.pre-commit-hooks.yaml", cwd=ROOT).returncode != 0:
        pytest.skip("the checkout's HEAD commit has no .pre-commit-hooks.yaml; commit it to run this test")
    return _git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a clean vault and a .pre-commit-config.yaml using this checkout."""
    sha = _checkout_head()
    cache = getattr(request.config, "cache", None)  # reuse hook environments across runs when pytest caches
    home = cache.mkdir("pre-commit") if cache is not None else tmp_path / "pre-commit-home"
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "lpvault tests")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "tests@lpvault.invalid")
    root = tmp_path / "repo"
    root.mkdir()
    _git("init", "-q", cwd=root)
    (root / "Ownership.md").write_text(COMPLETE, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {sha}\n    hooks:\n      - id: lpvault-lint\n      - id: lpvault-index\n",
        encoding="utf-8")
    return root


def _pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=os.environ.copy())


def test_hooks_pass_a_clean_vault_and_stop_a_blank_skeleton(repo: Path) -> None:
    _git("add", "-A", cwd=repo)
    lint = _pre_commit("run", "lpvault-lint", "--all-files", cwd=repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "lpvault lint" in lint.stdout and "Passed" in lint.stdout

    first = _pre_commit("run", "lpvault-index", "--all-files", cwd=repo)  # writes LP Index/: fails like a formatter
    assert first.returncode == 1, first.stdout + first.stderr
    assert ("lpvault index: 17 index notes written or removed; stage them (git add) and commit again:\n"
            "  LP Index/Are Right, A Lot.md\n") in first.stdout  # pre-commit shows the hook's stderr there
    assert (repo / "LP Index" / "Ownership.md").is_file()
    _git("add", "-A", cwd=repo)
    again = _pre_commit("run", "--all-files", cwd=repo)
    assert again.returncode == 0, again.stdout + again.stderr

    (repo / "Big ideas.md").write_text(SKELETON, encoding="utf-8")
    _git("add", "Big ideas.md", cwd=repo)
    staged = _pre_commit("run", "lpvault-lint", cwd=repo)  # what `git commit` runs: the staged files
    assert staged.returncode == 1, staged.stdout + staged.stderr
    assert ("Big ideas.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or delete it\n"
            "1 finding: 1 error\n" in staged.stdout)
    assert "Ownership.md:" not in staged.stdout


def test_git_commit_is_stopped_by_the_installed_hook(repo: Path) -> None:
    assert _pre_commit("install", cwd=repo).returncode == 0
    _git("add", "-A", cwd=repo)
    assert _git("commit", "-q", "-m", "notes", cwd=repo).returncode == 1  # the index was written: stage it
    _git("add", "-A", cwd=repo)
    done = _git("commit", "-q", "-m", "notes and index", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    (repo / "Ownership.md").write_text(COMPLETE + "\n" + SKELETON, encoding="utf-8")
    _git("add", "-A", cwd=repo)
    stopped = _git("commit", "-q", "-m", "a skeleton", cwd=repo)
    assert stopped.returncode == 1
    assert "Ownership.md:7:1: error LPV101" in stopped.stdout + stopped.stderr
