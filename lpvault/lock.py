"""One writer per vault: an exclusive lock file `.lpvault/lock` holding the owner's pid.

`watch` holds the lock for its lifetime and `index` for its write phase, so two
processes never interleave writes to the index notes. The file is created with
O_CREAT|O_EXCL (atomic on every local file system); it holds three lines: pid,
the process start time (Linux, to tell a reused pid from the owner) and what
holds it (`watch` or `index`). A lock whose owner is gone (killed with -9, a
crash, a reboot) is stale and taken over.

When `.lpvault` is not a plain folder (a symlink, which could lead the write out
of the vault, a file, a dangling link), the lock lives in this user's cache
folder instead, named after the vault's real path: two processes on the same
vault still find the same lock, and nothing is written outside the vault.
"""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

LOCK_DIR = ".lpvault"
LOCK_NAME = "lock"
_FRESH_SECONDS = 5.0  # an unreadable lock younger than this may still be being written
_HELD: set[str] = set()  # lock files this process holds (our pid in a lock we do not hold is stale)


class LockError(Exception):
    """The vault's lock cannot be taken."""


class LockUnavailable(LockError):
    """The lock file cannot be created (a read-only folder, a file in the way)."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        super().__init__(f"cannot create the lock file {path}: {error.strerror or error}")


class LockHeld(LockError):
    """Another live lpvault process holds the vault's lock."""

    def __init__(self, path: Path, owner: Owner) -> None:
        self.path, self.owner = path, owner
        what = f"lpvault {owner.purpose}" if owner.purpose else "another lpvault process"
        pid = f" (pid {owner.pid})" if owner.pid else ""
        hint = " and keeps the index up to date" if owner.purpose == "watch" else ""
        super().__init__(f"{what}{pid} is writing this vault's index{hint}; lock file: {path}")


@dataclass(frozen=True)
class Owner:
    """What a lock file says about its holder."""

    pid: int
    start: str
    purpose: str


def lock_path(root: Path) -> Path:
    """Where the lock of the vault at `root` lives: `.lpvault/lock`, unless `.lpvault`
    exists and is not a plain folder."""
    folder = root / LOCK_DIR
    try:
        plain = stat.S_ISDIR(os.lstat(folder).st_mode)
    except FileNotFoundError:
        plain = True  # created on first use
    except OSError:
        plain = False
    return folder / LOCK_NAME if plain else _user_lock_path(root)


def _user_lock_path(root: Path) -> Path:
    """The vault's lock in this user's cache folder (next to the cache key)."""
    import hashlib

    from lpvault.sealed import key_path

    name = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return key_path().parent / "locks" / f"{name}.lock"


class VaultLock:
    """The vault's write lock; a context manager. Not re-entrant."""

    def __init__(self, root: Path, *, purpose: str, wait: float = 0.0) -> None:
        self.path = lock_path(root)
        self.purpose, self.wait = purpose, wait
        self.held = False

    def acquire(self) -> None:
        """Take the lock, waiting up to `wait` seconds while another process holds it.

        Raises LockHeld when it stays held (at once when a `watch` holds it: it
        never lets go by itself).
        """
        deadline = time.monotonic() + self.wait
        while True:
            try:
                self._try_once()
                return
            except LockHeld as held:
                if held.owner.purpose == "watch" or time.monotonic() >= deadline:
                    raise
            time.sleep(0.05)

    def release(self) -> None:
        """Give the lock back; never removes a lock another process took over."""
        if not self.held:
            return
        self.held = False
        _HELD.discard(str(self.path))
        if read_owner(self.path) == _me(self.purpose):
            _unlink(self.path)

    def __enter__(self) -> VaultLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()

    def _try_once(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LockUnavailable(self.path, error) from None
        for _ in range(3):  # create; on conflict, break a stale lock and try again
            if _create(self.path, _me(self.purpose)):
                self.held = True
                _HELD.add(str(self.path))
                return
            owner = read_owner(self.path)
            if owner is None:
                continue  # released between our attempt and the read
            if not is_stale(self.path, owner):
                raise LockHeld(self.path, owner)
            _break(self.path, owner)
        raise LockHeld(self.path, read_owner(self.path) or Owner(0, "", ""))


def read_owner(path: Path) -> Owner | None:
    """The lock file's owner; an empty or garbled file gives pid 0; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return Owner(0, "", "")
    lines = (text.splitlines() + ["", "", ""])[:3]
    pid = int(lines[0]) if lines[0].strip().isdigit() else 0
    return Owner(pid, lines[1].strip(), lines[2].strip())


def is_stale(path: Path, owner: Owner) -> bool:
    """True when the owner is gone: a dead pid, a reused pid, or an old unreadable file."""
    if owner.pid <= 0:
        return _age(path) > _FRESH_SECONDS
    if owner.pid == os.getpid():
        return str(path) not in _HELD  # not held here: left by an earlier process that had our pid
    if not _alive(owner.pid):
        return True
    start = _start_time(owner.pid)
    return bool(owner.start and start and start != owner.start)


def _me(purpose: str) -> Owner:
    return Owner(os.getpid(), _start_time(os.getpid()) or "", purpose)


def _create(path: Path, owner: Owner) -> bool:
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as error:
        raise LockUnavailable(path, error) from None
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(f"{owner.pid}\n{owner.start}\n{owner.purpose}\n")
    return True


def _break(path: Path, seen: Owner) -> None:
    """Remove a stale lock, unless another process replaced it since we read it.

    Renaming first makes the check and the removal one step against a second
    breaker: whoever renames gets the file, and a live lock taken by mistake is
    put back.
    """
    aside = path.with_name(f"{path.name}.stale.{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    if read_owner(aside) != seen:
        try:
            os.link(aside, path)  # someone else's fresh lock: put it back (fails if a third took it)
        except OSError:
            pass
    _unlink(aside)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return _alive_windows(pid)  # os.kill(pid, 0) would terminate the process there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    except OSError:
        return False
    return not _zombie(pid)


def _alive_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _zombie(pid: int) -> bool:
    """A killed child nobody has reaped yet still answers kill(0) on Linux."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _start_time(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux), to detect a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
