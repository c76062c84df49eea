"""The vault's write lock: exclusive, pid inside, stale locks recovered, used by `index`."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lpvault.cli import main
from lpvault.lock import LockHeld, Owner, VaultLock, is_stale, lock_path, read_owner

LINUX_PROC = Path("/proc/self/stat").exists()


def write_lock(root: Path, text: str) -> Path:
    """A lock file with the given content, as another process would leave it."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_acquire_writes_pid_and_release_removes_it(tmp_path: Path) -> None:
    with VaultLock(tmp_path, purpose="watch") as lock:
        owner = read_owner(lock.path)
        assert owner is not None and owner.pid == os.getpid() and owner.purpose == "watch"
    assert not lock_path(tmp_path).exists()


def test_lock_lives_in_hidden_folder(tmp_path: Path) -> None:
    assert lock_path(tmp_path) == tmp_path / ".lpvault" / "lock"


def test_second_lock_refused_while_held(tmp_path: Path) -> None:
    with VaultLock(tmp_path, purpose="watch"):
        with pytest.raises(LockHeld) as raised:
            VaultLock(tmp_path, purpose="index").acquire()
    assert raised.value.owner.pid == os.getpid()
    assert f"lpvault watch (pid {os.getpid()})" in str(raised.value)


def test_lock_held_by_watch_is_refused_at_once_even_with_wait(tmp_path: Path) -> None:
    with VaultLock(tmp_path, purpose="watch"):
        with pytest.raises(LockHeld):
            VaultLock(tmp_path, purpose="index", wait=600).acquire()  # would hang if it waited


def test_index_lock_waits_for_another_index(tmp_path: Path) -> None:
    first = VaultLock(tmp_path, purpose="index")
    first.acquire()
    second = VaultLock(tmp_path, purpose="index", wait=60)
    worker = threading.Thread(target=second.acquire)
    worker.start()
    first.release()
    worker.join(timeout=60)
    assert second.held
    second.release()


def test_stale_lock_of_dead_process_is_recovered(tmp_path: Path) -> None:
    write_lock(tmp_path, f"{dead_pid()}\n\nwatch\n")
    with VaultLock(tmp_path, purpose="index") as lock:
        assert read_owner(lock.path).pid == os.getpid()


def test_our_own_pid_in_a_lock_we_do_not_hold_is_stale(tmp_path: Path) -> None:
    path = write_lock(tmp_path, f"{os.getpid()}\n\nwatch\n")
    assert is_stale(path, read_owner(path))
    with VaultLock(tmp_path, purpose="watch"):
        assert not is_stale(path, read_owner(path))


@pytest.mark.skipif(not LINUX_PROC, reason="process start times come from /proc")
def test_reused_pid_is_stale(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = write_lock(tmp_path, f"{sleeper.pid}\n1\nwatch\n")  # alive, but started at another time
        assert is_stale(path, read_owner(path))
    finally:
        sleeper.kill()
        sleeper.wait()


def test_live_other_process_holds_the_lock(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = write_lock(tmp_path, f"{sleeper.pid}\n\nwatch\n")
        with pytest.raises(LockHeld):
            VaultLock(tmp_path, purpose="index").acquire()
        assert read_owner(path).pid == sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()


def test_garbled_lock_is_held_while_fresh_and_recovered_when_old(tmp_path: Path) -> None:
    path = write_lock(tmp_path, "")
    with pytest.raises(LockHeld):
        VaultLock(tmp_path, purpose="index").acquire()
    old = time.time() - 3600
    os.utime(path, (old, old))
    with VaultLock(tmp_path, purpose="index"):
        assert read_owner(path).pid == os.getpid()


def test_release_never_removes_a_lock_taken_over(tmp_path: Path) -> None:
    lock = VaultLock(tmp_path, purpose="watch")
    lock.acquire()
    path = write_lock(tmp_path, "999999999\n\nwatch\n")
    lock.release()
    assert read_owner(path) == Owner(999999999, "", "watch")


def test_index_command_refused_while_watch_holds_the_lock(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("# Note\n", encoding="utf-8")
    with VaultLock(tmp_path, purpose="watch"):
        result = CliRunner().invoke(main, ["index", str(tmp_path)])
    assert result.exit_code == 1
    assert "lpvault watch" in result.output and "is writing this vault's index" in result.output
    assert not (tmp_path / "LP Index").exists()


def test_index_next_to_a_watch_passes_when_the_index_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lpvault.pipeline.INDEX_LOCK_WAIT", 0.1)
    (tmp_path / "note.md").write_text("# Note\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(tmp_path)]).exit_code == 0
    with VaultLock(tmp_path, purpose="watch"):
        result = CliRunner().invoke(main, ["index", "--fail-on-change", str(tmp_path)])
        assert result.exit_code == 0 and "index is current" in result.output
    (tmp_path / "note.md").write_text("# Note\n\n## Dive Deep\n\nProse.\n", encoding="utf-8")
    with VaultLock(tmp_path, purpose="index"):  # another index run writing: refused (after waiting)
        assert CliRunner().invoke(main, ["index", str(tmp_path)]).exit_code == 1


def test_index_check_needs_no_lock(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("# Note\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(tmp_path)]).exit_code == 0
    with VaultLock(tmp_path, purpose="watch"):
        assert CliRunner().invoke(main, ["index", "--check", str(tmp_path)]).exit_code == 0


def test_index_releases_its_lock(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("# Note\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(tmp_path)]).exit_code == 0
    assert not lock_path(tmp_path).exists()


# -- a state folder that is not a plain folder ----------------------------------------------

def _state_folder(root: Path, kind: str, outside: Path) -> None:
    """`.lpvault` as a file, a dangling symlink or a symlink to a folder outside the vault."""
    state = root / ".lpvault"
    if kind == "file":
        state.write_text("someone's notes\n", encoding="utf-8")
    elif kind == "dangling link":
        state.symlink_to(root / "missing", target_is_directory=True)
    else:
        state.symlink_to(outside, target_is_directory=True)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
@pytest.mark.parametrize("kind", ["file", "dangling link", "link out"])
def test_lock_moves_to_the_user_cache_when_the_state_folder_is_not_a_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    vault.mkdir()
    outside.mkdir()
    _state_folder(vault, kind, outside)
    with VaultLock(vault, purpose="watch") as lock:
        assert lock.path.parent == tmp_path / "home-cache" / "lpvault" / "locks"
        assert read_owner(lock.path) is not None
        with pytest.raises(LockHeld):  # still one writer per vault
            VaultLock(vault, purpose="index").acquire()
        assert list(outside.iterdir()) == []
    assert not lock.path.exists()
    if kind == "file":
        assert (vault / ".lpvault").read_text(encoding="utf-8") == "someone's notes\n"


def test_two_spellings_of_one_vault_share_the_fallback_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / ".lpvault").write_text("x", encoding="utf-8")
    (tmp_path / "alias").symlink_to(vault, target_is_directory=True)
    assert lock_path(vault) == lock_path(tmp_path / "alias")
    assert lock_path(vault) != lock_path(tmp_path)


def test_a_lock_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# Ownership\n\nSituation: s\n", encoding="utf-8")
    (vault / ".lpvault").write_text("x", encoding="utf-8")
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocked)}
    for command in (["index"], ["watch"]):
        done = subprocess.run([sys.executable, "-m", "lpvault", *command, str(vault)], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == (2 if command == ["index"] else 1), done.stderr
        assert "cannot create the lock file" in done.stderr and "Traceback" not in done.stderr
        assert str(blocked / "lpvault" / "locks") in done.stderr
