"""`lpvault watch`: watchdog events -> debounce -> the pipeline `index` uses, nothing more.

The event handler (`events.ChangeRecorder`, in watchdog's thread) only records
which vault paths changed and wakes the loop. The loop (the caller's thread) waits
until events stop for the debounce interval, updates the in-memory model
(`live.LiveVault`) with just those paths, renders the index notes in memory and
writes the ones whose text changed with the function `index` uses. Output paths,
hidden folders, ignored folders and editor temp files never wake it. An error in
a cycle is logged and the loop goes on; the vault folder disappearing ends it.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from lpvault import progress
from lpvault.config import Config, ConfigError, OutputBlocked, check_output_folder, load_config
from lpvault.events import EVENT_TYPES, ChangeRecorder, Changes, OverflowListener
from lpvault.live import Interrupted, LiveVault, Update
from lpvault.lock import VaultLock
from lpvault.vault import Vault
from lpvault.write import Written

Log = Callable[[str, str], None]  # (level: 'error' | 'info' | 'debug', message)

_ROOT_CHECK_SECONDS = 0.5
_MANY_NOTES = 500  # a cycle that analysed this many notes ends with gc.freeze()
_WARM_UP_NOTE = (b"---\ntags: [lp]\n---\n# Warm up\n\n## Dive Deep\n### A story\n- Situation: a #tag\n"
                 b"- Action: I read [[a note#a heading]].\n- Result: 10% faster.\n")


class VaultGone(Exception):
    """The vault folder itself was deleted, moved or unmounted."""


class WatchError(Exception):
    """The vault cannot be watched (for instance the inotify watch limit is reached)."""


@dataclass
class CycleReport:
    """One cycle: what was re-parsed and removed, what that changed for the user, which index
    notes were written, how long it took."""

    update: Update
    written: list[str]
    refused: list[str]
    milliseconds: float
    news: list[str] = field(default_factory=list)  # progress.describe: stories now complete, findings
    first: bool = False  # the start-up cycle: every note read, none "changed"

    def line(self) -> str:
        """`[watch] 1 note re-parsed (Stories/X.md), Think Big: 1 story now complete, +1 finding
        (LPV102 missing-part in Stories/X.md:12), 2 index notes written (Think Big, ...), 12 ms`."""
        reparsed, removed = len(self.update.reparsed), len(self.update.removed)
        if self.first or self.update.cached:  # which notes is no news at start-up: how many, and how
            served = f" ({self.update.from_cache} from the parse cache)" if self.update.cached else ""
            parts = [f"{reparsed} {_plural(reparsed, 'note')} read{served}"]
        else:
            parts = [f"{reparsed} {_plural(reparsed, 'note')} re-parsed{_names(self.update.reparsed)}"]
        if removed:
            parts.append(f"{removed} removed{_names(self.update.removed)}")
        parts += self.news
        count = len(self.written)
        parts.append(f"{count} index {_plural(count, 'note')} written{_names(self.written, stem=True)}")
        parts.append(f"{self.milliseconds:.0f} ms")
        return "[watch] " + ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _names(paths: list[str], *, stem: bool = False, limit: int = 3) -> str:
    if not paths:
        return ""
    names = [p.rsplit("/", 1)[-1][:-3] if stem and p.endswith(".md") else p for p in paths]
    more = f", +{len(names) - limit} more" if len(names) > limit else ""
    return f" ({', '.join(names[:limit])}{more})"


class Watcher:
    """Keeps one vault's index notes up to date until `stop()` is called."""

    def __init__(self, root: Path, config: Config, *, log: Log, polling: bool = False,
                 overrides: Mapping[str, Any] | None = None, poll_seconds: float = 1.0,
                 use_cache: bool = True) -> None:
        self.root, self.config, self.log = root, config, log
        self.use_cache = use_cache
        self.polling, self.poll_seconds = polling, poll_seconds
        self.overrides = dict(overrides or {})  # command-line settings, kept when the config file is reloaded
        self.recorder = ChangeRecorder(root, config)
        self.model = LiveVault(root, config, stopping=self._is_stopping, use_cache=use_cache)
        self.renderer: Callable[[Vault], dict[str, str]] | None = None
        self.written = Written()  # index notes as last written: unchanged ones are not read again
        self.cycles = 0
        self._stopping = False
        self._unpublished = True  # the model holds changes the index notes do not show yet
        self._resync = False
        self._refused: list[str] = []
        self._news: list[str] = []  # what the cycle in progress changed for the user (progress.describe)
        self._blocked: str | None = None  # what was said about a file in the output folder's way

    @property
    def debounce(self) -> float:
        """Seconds without events before a cycle starts."""
        return self.config.debounce_ms / 1000

    def stop(self) -> None:
        """End after the cycle in progress; only sets a flag, so it is safe in a signal handler."""
        self._stopping = True

    def _is_stopping(self) -> bool:
        return self._stopping

    def run(self) -> None:
        """Take the vault's lock, index once, then follow events until `stop()`.

        Raises LockHeld (another lpvault writes this vault), WatchError (cannot
        watch) or VaultGone (the vault folder disappeared).
        """
        with VaultLock(self.root, purpose="watch"):
            listener = OverflowListener(self.recorder)
            logging.getLogger(OverflowListener.LOGGER).addHandler(listener)
            observer = self._start_observer()
            try:
                self._cycle(Changes(rescan=True))  # the first cycle is a full index
                self._warm_up()
                if not self._stopping:
                    kind = "polling" if self.polling else "native events"
                    self.log("info", f"[watch] watching {self.root} ({kind}); Ctrl-C to stop")
                while self._wait_for_changes():
                    self._cycle(self.recorder.take())
            finally:
                observer.stop()
                observer.join(timeout=5)
                logging.getLogger(OverflowListener.LOGGER).removeHandler(listener)

    def _warm_up(self) -> None:
        """Parse a small note here: when the first index parsed in worker processes, the
        first save would pay for loading the parser in this one (tens of milliseconds)."""
        self.model.analyzer.analyse("warm-up.md", _WARM_UP_NOTE)

    def _start_observer(self) -> Any:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        observer = PollingObserver(timeout=self.poll_seconds) if self.polling else Observer()
        try:
            observer.schedule(self.recorder, os.path.abspath(self.root), recursive=True, event_filter=EVENT_TYPES)
            observer.start()
        except OSError as error:
            hint = "" if self.polling else "; try --polling"
            raise WatchError(f"cannot watch {self.root}: {error.strerror or error}{hint}") from None
        return observer

    def _wait_for_changes(self) -> bool:
        """Block until events arrive and then stop for the debounce interval; False when stopping."""
        next_check = time.monotonic() + _ROOT_CHECK_SECONDS
        while not self.recorder.wake.wait(0.1):
            if self._stopping:
                return False
            if time.monotonic() >= next_check:
                self._check_root()
                next_check = time.monotonic() + _ROOT_CHECK_SECONDS
        first = time.monotonic()
        limit = max(1.0, 20 * self.debounce)  # a writer that never pauses still gets a cycle now and then
        while not self._stopping:
            quiet = self.recorder.last_event + self.debounce - time.monotonic()
            if quiet <= 0 or time.monotonic() - first >= limit:
                return True
            time.sleep(min(quiet, 0.1))
        return False

    def _check_root(self) -> None:
        if not os.path.isdir(self.root):
            raise VaultGone(f"the vault folder {self.root} is gone (deleted, moved or unmounted)")

    def _cycle(self, changes: Changes) -> None:
        """Update the model with the changes, then render and write like `index`; log one line."""
        started = time.perf_counter()
        self._news = []
        try:
            self._check_root()
            update, render = self._apply(changes)
            self._unpublished = self._unpublished or render
            written, refused = self._publish() if self._unpublished else ([], [])
            self._unpublished = self._blocked is not None  # written once the file in the way is gone
        except VaultGone:
            raise
        except Interrupted:
            return  # stopping: nothing was written
        except Exception as error:  # one bad cycle must not end the watch
            self.log("error", f"[watch] error: {type(error).__name__}: {error}")
            self._resync = True  # the model may have missed these changes: walk the vault next cycle
            self.renderer = None  # and what the renderer kept may be half updated
            return
        self.cycles += 1
        self._report(CycleReport(update, written, refused, (time.perf_counter() - started) * 1000,
                                 news=self._news, first=self.cycles == 1))
        self._settle(update)

    @staticmethod
    def _settle(update: Update) -> None:
        """After a cycle that analysed many notes (the first, new settings), set what is in
        memory aside from the garbage collector: the model lives on, and a full collection
        walking it would stall a later cycle for a good part of a second on a large vault."""
        if len(update.reparsed) >= _MANY_NOTES:
            gc.freeze()

    def _apply(self, changes: Changes) -> tuple[Update, bool]:
        """Bring the model up to date; also say whether the index notes need rendering."""
        if changes.root_gone:
            self._check_root()
        if changes.config and self._reload_config():
            return self.model.rescan(), True
        if changes.rescan or self._resync:
            update = self.model.rescan(force=changes.files)
            self._resync = False
        else:
            update = self.model.update(changes.files)
        return update, update.changed or self._templates_changed(changes.files)

    def _templates_changed(self, paths: set[str]) -> bool:
        folder = (self.config.templates_dir or "").strip("/")
        changed = bool(folder) and any(p == folder or p.startswith(folder + "/") for p in paths)
        if changed:
            self.renderer = None  # the override folder may have appeared or gone
        return changed

    def _reload_config(self) -> bool:
        """Read the settings again; a new configuration means a fresh model. False when unchanged or invalid."""
        try:
            config = load_config(self.root, overrides=self.overrides)
        except ConfigError as error:
            self.log("error", f"[watch] config: {error} (keeping the previous settings)")
            return False
        if config == self.config:
            return False
        self.log("info", "[watch] settings changed: indexing everything again")
        self.config = self.recorder.config = config
        self.model = LiveVault(self.root, config, stopping=self._is_stopping, use_cache=self.use_cache)
        self.renderer = None
        gc.unfreeze()  # the old model goes (see `_settle`)
        return True

    def _publish(self) -> tuple[list[str], list[str]]:
        """Render every index note in memory and write the changed ones (the functions `index` uses)."""
        from lpvault.pipeline import page_renderer
        from lpvault.write import write_outputs

        if self.renderer is None:
            self.renderer = page_renderer(self.root, self.config)
        before = progress.capture(self.renderer)
        outputs = self.renderer(self.model.vault())
        self._news = progress.describe(before, progress.capture(self.renderer))
        self._check_root()  # never recreate a vanished vault by writing into it
        if self._output_blocked():
            return [], []
        report = write_outputs(self.root, outputs, self.config.output, self.written)
        return report.written + report.removed, report.refused

    def _output_blocked(self) -> bool:
        """True while a file stands where the output folder goes, said once when it appears."""
        try:
            check_output_folder(self.root, self.config)
        except OutputBlocked as error:
            message = error.told(self.config, option="output" in self.overrides and self.overrides["output"] is not None)
            if message != self._blocked:
                self.log("error", f"[watch] {message}")
            self._blocked = message
            return True
        self._blocked = None
        return False

    def _report(self, report: CycleReport) -> None:
        for path, why in report.update.unreadable:
            self.log("info", f"[watch] {path}: {why}")
        if report.refused != self._refused:
            for path in report.refused:
                self.log("error", f"[watch] {path}: not written: a file lpvault did not generate is in the way")
            self._refused = report.refused
        idle = not (report.update.reparsed or report.update.removed or report.written)
        self.log("debug" if idle else "info", report.line())
        for path in report.update.reparsed + report.update.removed:
            self.log("debug", f"[watch]   changed: {path}")
        for path in report.written:
            self.log("debug", f"[watch]   wrote: {path}")


@contextmanager
def stop_on_signals(watcher: Watcher) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM let the cycle in progress finish, then end the watch."""
    def handler(signum: int, frame: object) -> None:
        watcher.stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
