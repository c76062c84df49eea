"""The vault in memory, for `watch`: one note's analysis replaced, added or removed at a time.

A thin layer over the pipeline `index` uses: notes are read with `read_bytes`,
analysed with the same `Analyzer` (through `analyse_files`, so a parse cache or
a process pool there serves the watcher too), and the Vault is put together by
`assemble`. Per change only the named paths are touched; a whole-vault walk
(stat only, no parsing of unchanged notes) happens on the first cycle and when a
folder appears, disappears or moves.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from lpvault.config import Config
from lpvault.model import Analysis
from lpvault.pipeline import Analyzer, analyse_files, assemble, existing_outputs, make_catalog
from lpvault.scan import NoteFile, ScanResult, is_ignored, is_note_name, scan_vault
from lpvault.vault import Vault

UNREADABLE = "unreadable-file"


class Interrupted(Exception):
    """Parsing stopped because the watch is ending (nothing was written)."""


@dataclass
class Update:
    """What one update of the model did."""

    reparsed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why) for the log
    changed: bool = False  # anything the index notes could depend on
    cached: bool = False  # the notes came through the parse cache: most were not parsed at all
    from_cache: int = 0  # how many of them the cache served without reading or parsing them

    def merge(self, other: Update) -> None:
        """Add another update's results to this one."""
        self.reparsed += other.reparsed
        self.removed += other.removed
        self.unreadable += other.unreadable
        self.changed = self.changed or other.changed
        self.cached = self.cached or other.cached
        self.from_cache += other.from_cache


class LiveVault:
    """Per-note analyses and the vault's other files, kept up to date by `update` and `rescan`."""

    def __init__(self, root: Path, config: Config, *, stopping: Callable[[], bool] = lambda: False,
                 use_cache: bool = True) -> None:
        self.root, self.config = root, config
        self.stopping = stopping  # checked after each note: Ctrl-C during a long first parse
        self.use_cache = use_cache  # the first walk reads `index`'s parse cache and leaves it current
        self.catalog = make_catalog(config)
        self.analyzer = Analyzer(config, self.catalog)
        self.analyses: dict[str, Analysis] = {}
        self.stamps: dict[str, tuple[int, int]] = {}  # path -> (size, mtime_ns) when analysed
        self.others: set[str] = set()
        self._last: Vault | None = None  # the last vault made, and the paths changed since
        self._changed: set[str] = set()

    def vault(self) -> Vault:
        """The Vault `index` would build from the files as they are now: the last one
        with the changed notes replaced (see `assemble`)."""
        self._last = assemble(self.config, self.catalog, self.analyses, sorted(self.others),
                              existing_outputs(self.root, self.config), previous=self._last, changed=self._changed)
        self._changed = set()
        self._last.lookups  # made once, then carried from vault to vault: files coming or going cost little
        return self._last

    def rescan(self, force: Iterable[str] = ()) -> Update:
        """Walk the vault; analyse notes that are new, changed (size or mtime) or in `force`."""
        forced = set(force)
        scan = scan_vault(self.root, self.config)
        found = {n.path for n in scan.notes}
        todo = [n for n in scan.notes if n.path in forced or self.stamps.get(n.path) != (n.size, n.mtime_ns)]
        first = not self.analyses and not self.stamps
        update = self._remove(sorted(set(self.analyses) - found))
        update.merge(self._analyse(todo, whole=scan if first and self.use_cache else None))
        if set(scan.others) != self.others:
            self.others, update.changed = set(scan.others), True
        return update

    def update(self, paths: Iterable[str]) -> Update:
        """Re-read these vault-relative paths: each is now a note, another file, or gone."""
        notes: list[NoteFile] = []
        gone: list[str] = []
        others_before = set(self.others)
        for rel in sorted(set(paths)):
            found = self._classify(rel)
            if isinstance(found, NoteFile):
                notes.append(found)
            elif found == "other":
                self.others.add(rel)
            else:
                self.others.discard(rel)
                gone.append(rel)
        update = self._remove([p for p in gone if p in self.analyses])
        update.merge(self._analyse(notes))
        update.changed = update.changed or self.others != others_before
        return update

    def _classify(self, rel: str) -> NoteFile | str | None:
        """A note (with its stamp), 'other' for another kept file, None when it is not part of the vault."""
        if is_ignored(rel, self.config):
            return None
        full = os.path.join(self.root, rel)
        try:
            info = os.stat(full)
        except OSError:
            return None  # gone (or its folder cannot be entered): the note leaves the index
        if not stat.S_ISREG(info.st_mode) or os.path.islink(full) and not self._inside(full):
            return None
        if not is_note_name(rel.rsplit("/", 1)[-1]):
            return "other"
        return NoteFile(rel, info.st_size, info.st_mtime_ns)

    def _inside(self, path: str) -> bool:
        root = os.path.realpath(self.root)
        return os.path.realpath(path).startswith(root.rstrip(os.sep) + os.sep)

    def _analyse(self, notes: list[NoteFile], *, whole: ScanResult | None = None) -> Update:
        """Analyse `notes`; `whole`, the scan they are all the notes of, lets the parse cache serve."""
        analyses, cached, served = self._analyses_of(notes, whole)
        update = Update(cached=cached, from_cache=served)
        for path, analysis in analyses.items():
            if self.analyses.get(path) != analysis:  # else keep the old objects: downstream sees no change
                update.changed = True
                self.analyses[path] = analysis
                self._changed.add(path)
            update.reparsed.append(path)
            update.unreadable += [(path, p.message) for p in analysis.note.problems if p.rule == UNREADABLE]
        for note in notes:
            self.stamps[note.path] = (note.size, note.mtime_ns)
        return update

    def _analyses_of(self, notes: list[NoteFile], whole: ScanResult | None) -> tuple[dict[str, Analysis], bool, int]:
        """The notes' analyses, whether they went through the parse cache, and how many
        it holds as they are (size and time): it serves when `whole` is given (it records
        whole vaults: a start-up after `index` then parses nothing) and can be used at all."""
        from lpvault.cache import ParseCache

        cache = ParseCache.open(self.root, self.config) if whole is not None else None
        if cache is None:
            return analyse_files(self.root, notes, self.analyzer, self._check_stop), False, 0
        served = sum(1 for note in notes for entry in [cache.lookup(note)]
                     if entry is not None and entry.trusted and (entry.size, entry.mtime_ns) == (note.size, note.mtime_ns))
        try:
            found = analyse_files(self.root, notes, self.analyzer, self._check_stop, cache=cache)
        except BaseException:
            cache.abort()
            raise
        cache.save(whole, tuple(existing_outputs(self.root, self.config)))
        return found, True, served

    def _check_stop(self, done: int) -> None:
        if self.stopping():
            raise Interrupted(f"stopped after parsing {done} notes")

    def _remove(self, paths: list[str]) -> Update:
        for path in paths:
            self.analyses.pop(path, None)
            self.stamps.pop(path, None)
            self._changed.add(path)
        return Update(removed=list(paths), changed=bool(paths))
