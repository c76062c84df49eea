"""What `watch` reacts to: watchdog events -> a set of changed vault paths.

Runs in watchdog's thread and does nothing but record and wake the loop. Our own
output folder, hidden folders (`.lpvault`, `.obsidian`, `.git`, `.trash`), the
template folder, ignore globs and editor temp, swap and lock files never count;
reading a note (opened, closed without writing) never counts either.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileAttribEvent, FileClosedEvent, FileCreatedEvent,
    FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler,
)

from lpvault.config import Config
from lpvault.scan import is_ignored

# Opened and closed-without-writing are left out on purpose: reading a note (as we do) emits them.
EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
               FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
CONFIG_PATHS = frozenset({"lpvault.toml", ".lpvault.toml", "pyproject.toml", ".obsidian/app.json",
                          ".obsidian/templates.json", ".obsidian/plugins/templater-obsidian/data.json"})
_TEMP_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".temp", ".bak", ".crswap", ".part", "~")


def is_temp_name(name: str) -> bool:
    """An editor's temp, swap, backup or lock file (vim, emacs, Obsidian, atomic savers)."""
    lower = name.lower()
    return (lower.startswith((".#", "~$", ".~")) or lower.endswith(_TEMP_SUFFIXES)
            or lower.startswith("#") and lower.endswith("#") or lower == "4913")


@dataclass
class Changes:
    """What happened since the last cycle, by vault-relative path."""

    files: set[str] = field(default_factory=set)
    rescan: bool = False  # a folder appeared, vanished or moved
    config: bool = False
    root_gone: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.rescan or self.config or self.root_gone)


class ChangeRecorder(FileSystemEventHandler):
    """Records changed vault paths from watchdog's thread and wakes the loop."""

    def __init__(self, root: Path, config: Config) -> None:
        # FSEvents (macOS) reports resolved paths (/private/tmp for /tmp): accept both spellings.
        self.bases = tuple(dict.fromkeys([os.path.abspath(root), os.path.realpath(root)]))
        self.config = config
        self.wake = threading.Event()
        self.last_event = 0.0
        self._lock = threading.Lock()
        self._pending = Changes()

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note the event's paths (both ends of a move) if they matter to the index."""
        if event.event_type in ("opened", "closed_no_write") or event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path, event.dest_path] if event.event_type == "moved" else [event.src_path]
        with self._lock:
            noted = [self._note(os.fsdecode(p), event) for p in paths if p]
            if any(noted):
                self.last_event = time.monotonic()
                self.wake.set()

    def lost_events(self) -> None:
        """Events were dropped (a kernel queue overflow): the next cycle walks the whole vault."""
        with self._lock:
            self._pending.rescan = True
            self.last_event = time.monotonic()
            self.wake.set()

    def take(self) -> Changes:
        """The changes recorded so far; the recorder starts afresh."""
        with self._lock:
            changes, self._pending = self._pending, Changes()
            self.wake.clear()
            return changes

    def relative(self, path: str) -> str | None:
        """The vault-relative POSIX path, '' for the vault itself, None outside it."""
        for base in self.bases:
            if path == base:
                return ""
            if path.startswith(base + os.sep):
                return path[len(base) + 1:].replace(os.sep, "/")
        return None

    def _note(self, path: str, event: FileSystemEvent) -> bool:
        rel = self.relative(path)
        if rel is None:
            return False
        if rel == "":
            gone = event.event_type in ("deleted", "moved")
            self._pending.root_gone = self._pending.root_gone or gone
            return gone
        if rel in CONFIG_PATHS:
            self._pending.config = True
            return True
        if event.is_directory:
            if is_ignored(rel, self.config, folder=True):
                return False
            self._pending.rescan = True
            return True
        if is_ignored(rel, self.config) or is_temp_name(rel.rsplit("/", 1)[-1]):
            return False
        self._pending.files.add(rel)
        return True


class OverflowListener(logging.Handler):
    """watchdog only logs a kernel event-queue overflow (inotify drops events past its
    queue, as a checkout of many thousand notes can); hearing it, rescan the vault."""

    LOGGER = "watchdog.observers"

    def __init__(self, recorder: ChangeRecorder) -> None:
        super().__init__(logging.WARNING)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        """Called by logging for each warning of watchdog's observers."""
        if "overflow" in str(record.msg).lower():
            self.recorder.lost_events()
