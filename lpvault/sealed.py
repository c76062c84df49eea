"""Signed pickle files: how the parse cache stores Python records safely enough.

Why pickle: the cache holds our own frozen records (Note, Story, ...), and
pickle rebuilds them several times faster than any text format we could parse
back (JSON plus a schema would also have to follow every change to model.py).
Why that is safe here: pickle runs code while it loads, so nothing is unpickled
before its signature checks out. Every file carries a keyed BLAKE2b MAC of its
bytes, made with a random key that lives outside the vault, in the user's cache
folder (`$XDG_CACHE_HOME/lpvault/cache-key`, mode 0600). A cache file that
someone else wrote - committed to a shared vault, synced from another machine,
left by another tool - or one that is truncated or corrupt, fails the check and
is ignored, never loaded. Without a usable key there is simply no cache.
"""
from __future__ import annotations

import hmac
import io
import os
import pickle
from hashlib import blake2b
from pathlib import Path
from typing import Any, Iterable, Iterator

MAGIC = b"lpvault-sealed\n\x01"
_MAC_SIZE = 32
_KEY_SIZE = 32
_KEY: bytes | None = None


def key_path() -> Path:
    """Where this user's cache key lives."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lpvault" / "cache-key"


def user_key() -> bytes | None:
    """This user's cache key, made on first use; None when it cannot be made or read."""
    global _KEY
    if _KEY is None:
        _KEY = _read_key(key_path()) or _make_key(key_path())
    return _KEY


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) == _KEY_SIZE else None


def _make_key(path: Path) -> bytes | None:
    """Create the key atomically (link a full temp file into place); another process may win."""
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            os.write(handle, os.urandom(_KEY_SIZE))
            os.close(handle)
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    except OSError:
        return None
    return _read_key(path)


class Writer:
    """Objects pickled one after another into a temp file next to `path`, signed as they
    go; `commit` moves the file into place (atomically), `abort` drops it."""

    def __init__(self, path: Path, key: bytes) -> None:
        import tempfile  # only writers need it

        path.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.path, self.mac = path, blake2b(key=key, digest_size=_MAC_SIZE)
        self.out = os.fdopen(handle, "wb")
        self.out.write(MAGIC + bytes(_MAC_SIZE))

    def add(self, obj: Any) -> None:
        """Append one object."""
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.mac.update(data)
        self.out.write(data)

    def commit(self) -> None:
        """Sign the file and move it into place."""
        try:
            self.out.seek(len(MAGIC))
            self.out.write(self.mac.digest())
            self.out.close()
            os.replace(self.temp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the temp file; the file in place, if any, stays as it was."""
        self.out.close()
        _unlink(self.temp)


def write(path: Path, key: bytes, objects: Iterable[Any]) -> None:
    """Pickle `objects` one after another into `path`, signed; atomic (temp file + rename)."""
    writer = Writer(path, key)
    try:
        for obj in objects:
            writer.add(obj)
    except BaseException:
        writer.abort()
        raise
    writer.commit()


def read(path: Path, key: bytes) -> Iterator[Any] | None:
    """The objects `write` stored in `path`, or None when the file is missing or not
    ours (no magic, wrong signature). Unpickling starts only after the check."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + _MAC_SIZE
    if len(data) < head or not data.startswith(MAGIC):
        return None
    expected = blake2b(memoryview(data)[head:], key=key, digest_size=_MAC_SIZE).digest()
    if not hmac.compare_digest(expected, data[len(MAGIC):head]):
        return None
    return _objects(data, head)


def _objects(data: bytes, start: int) -> Iterator[Any]:
    stream = io.BytesIO(data)  # shares the bytes, no copy
    stream.seek(start)
    while stream.tell() < len(data):
        yield pickle.load(stream)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
