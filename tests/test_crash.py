"""A crash never leaves a half-written index note, and two writers never tear one.

A generated vault with large index notes is switched between two states, A and
B, whose complete index notes are known. `lpvault index` runs in a subprocess
and is killed with SIGKILL the moment it starts writing (plus a random delay):
every index note on disk must then be exactly A's or B's version, and the next
normal run must write B's index in full and leave no temp file behind. Two
index processes started together must end with B's index too.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lpvault.config import Config
from lpvault.pipeline import run_index

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

NOTES = 300
STORIES_PER_NOTE = 6
PRINCIPLES = ["Customer Obsession", "Ownership", "Invent and Simplify", "Dive Deep", "Earn Trust", "Think Big"]
TIMEOUT = 120.0


def lpvault_command() -> list[str]:
    script = Path(sys.executable).with_name("lpvault")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lpvault"]


def _note(number: int, state: str) -> str:
    """A note with several complete stories under one principle; `state` changes every
    Result, so every index note changes between states."""
    principle = PRINCIPLES[number % len(PRINCIPLES)]
    stories = "".join(
        f"## Story {number}-{k}\n\n- Situation: service {number} was slow\n- Action: I profiled path {k}\n"
        f"- Result: latency fell {10 + k}% in state {state} " + "and the team kept it there " * 4 + "\n\n"
        for k in range(STORIES_PER_NOTE))
    return f"# {principle}\n\n{stories}"


def _write_state(vault: Path, state: str) -> None:
    for number in range(NOTES):
        path = vault / f"team {number % 10}" / f"note {number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_note(number, state), encoding="utf-8")


def _index_of(folder: Path) -> dict[str, bytes]:
    output = folder / "LP Index"
    return {p.name: p.read_bytes() for p in sorted(output.iterdir())} if output.is_dir() else {}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The complete index of state A and of state B."""
    found = {}
    for state in "AB":
        vault = tmp_path_factory.mktemp(f"state{state}")
        _write_state(vault, state)
        run_index(vault, Config(), use_cache=False, jobs=1)
        found[state] = _index_of(vault)
    assert found["A"].keys() == found["B"].keys()
    assert all(found["A"][f"{name}.md"] != found["B"][f"{name}.md"] for name in PRINCIPLES)
    return found


def _start_index(vault: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*lpvault_command(), "index", str(vault), "--quiet", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_while_writing(vault: Path, rng: random.Random) -> None:
    """SIGKILL the index run once a temp file or a changed index note shows it is
    writing, after a random 0-15 ms more; or at a random moment if it never shows."""
    output = vault / "LP Index"
    before = {p.name: p.stat().st_mtime_ns for p in output.iterdir()} if output.is_dir() else {}
    proc = _start_index(vault)
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        if _writing(output, before):
            time.sleep(rng.uniform(0, 0.015))
            break
        time.sleep(0.0005)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=TIMEOUT)


def _writing(output: Path, before: dict[str, int]) -> bool:
    try:
        entries = list(os.scandir(output))
    except FileNotFoundError:
        return False
    for entry in entries:
        try:
            if before.get(entry.name) != entry.stat().st_mtime_ns:  # a new temp file, a renamed note
                return True
        except FileNotFoundError:
            return True  # a temp file renamed while we looked: writing
    return False


def _check_whole(vault: Path, versions: dict[str, dict[str, bytes]], allowed: str) -> None:
    """Every index note is absent or exactly one of the `allowed` states' versions."""
    for name, data in _index_of(vault).items():
        if name.endswith(".tmp"):
            continue  # a temp file a killed run left: never an index note, removed by the next run
        assert any(data == versions[state][name] for state in allowed), f"{name} is torn or foreign"
        assert data.startswith(b"---\nlpvault: generated\n")


def test_kill_9_during_index_writes_leaves_old_or_new_notes_and_the_next_run_recovers(
        tmp_path: Path, versions: dict[str, dict[str, bytes]]) -> None:
    vault = tmp_path / "vault"
    _write_state(vault, "A")
    run_index(vault, Config(), use_cache=False, jobs=1)
    assert _index_of(vault) == versions["A"]
    rng = random.Random(6)
    state = "A"
    for _ in range(8):
        state = "B" if state == "A" else "A"
        _write_state(vault, state)
        _kill_while_writing(vault, rng)
        _check_whole(vault, versions, "AB")
    done = subprocess.run([*lpvault_command(), "index", str(vault)], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert _index_of(vault) == versions[state]  # recovered: complete, current, no temp file left


def test_two_index_processes_at_once_end_with_a_correct_index(
        tmp_path: Path, versions: dict[str, dict[str, bytes]]) -> None:
    vault = tmp_path / "vault"
    _write_state(vault, "A")
    run_index(vault, Config(), use_cache=False, jobs=1)
    for state in "BAB":
        _write_state(vault, state)
        first, second = _start_index(vault), _start_index(vault)
        for proc in (first, second):
            _, err = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, err.decode()
        assert _index_of(vault) == versions[state]
