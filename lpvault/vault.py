"""The whole vault in memory: notes, stories, the story bank and the link resolver."""
from __future__ import annotations

import weakref
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from lpvault.config import Config
from lpvault.findings import Finding
from lpvault.model import BankEntry, Note, Story, words_digest
from lpvault.obsidian import lookup_keys
from lpvault.principles import Catalog


@dataclass(frozen=True)
class Vault:
    """Everything lint and index need; built by the pipeline, never does I/O."""

    config: Config
    catalog: Catalog
    notes: Mapping[str, Note]
    told: Mapping[str, tuple[Story, ...]]  # each note's stories in document order; same keys as `notes`
    others: tuple[str, ...] = ()
    output_paths: frozenset[str] = field(default_factory=frozenset)
    # Per note, the findings of the rules that read only that note (lint.NoteLinter), as
    # its analysis worked them out; lint works out those of a note missing here itself.
    found: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)

    @cached_property
    def stories(self) -> tuple[Story, ...]:
        """Every story, in path and document order."""
        return tuple(story for stories in self.told.values() for story in stories)

    @cached_property
    def story_bank(self) -> StoryBank:
        """The story bank with its views (entries per principle, reused, unassigned...)."""
        return StoryBank.build(self.stories, self.catalog)

    @property
    def bank(self) -> tuple[BankEntry, ...]:
        """Distinct stories, reuse merged, in note and line order."""
        return self.story_bank.entries

    @cached_property
    def lookups(self) -> LinkLookups:
        """Which notes have links that look up which file names (see `obsidian.lookup_keys`)."""
        return LinkLookups.build(self.notes)

    @cached_property
    def by_files(self) -> dict[str, Any]:
        """Results worked out from the set of files and the settings alone (the link
        resolver, see links.py): shared with a later vault that has the same ones."""
        return {}

    def same_files(self, other: Vault) -> bool:
        """True when `other` has the same settings and the same files: links resolve alike."""
        return (self.config == other.config and self.catalog is other.catalog and self.others == other.others
                and self.output_paths == other.output_paths and self.notes.keys() == other.notes.keys())

    def inherit(self, previous: Vault, changed: Iterable[str] | None = None) -> None:
        """Take over what `previous` (the same vault a moment earlier, in `watch`) worked
        out and what still holds: the results that depend on the files when they are the
        same; the story bank and the link lookups, updated for the changed notes. `changed`:
        the paths that may differ (None: compare every note); kept for `changes_since`."""
        if changed is None:
            changed = changed_paths(previous, self)
        else:
            changed = [p for p in changed if previous.notes.get(p) is not self.notes.get(p)
                       or previous.told.get(p) is not self.told.get(p)]
        self.__dict__["_base"] = (weakref.ref(previous), changed)
        if self.same_files(previous):
            self.__dict__["by_files"] = previous.by_files
        if "lookups" in previous.__dict__:
            self.__dict__["lookups"] = previous.lookups.replace(changed, self.notes)
        if self.catalog is not previous.catalog or "story_bank" not in previous.__dict__:
            return
        removed: list[Story] = []
        added: list[Story] = []
        for path in changed:
            if previous.told.get(path) is not self.told.get(path):
                removed += previous.told.get(path, ())
                added += self.told.get(path, ())
        self.__dict__["story_bank"] = previous.story_bank.replace(removed, added)

    @property
    def base(self) -> Vault | None:
        """The vault this one was made from by `inherit`, while it is still in memory."""
        base = self.__dict__.get("_base")
        return base[0]() if base is not None else None

    def changes_since(self, old: Vault) -> list[str]:
        """Notes added, removed, or holding other Note or Story objects than in `old`: told
        by `inherit` when `old` is the vault this one was made from, else found by comparing."""
        base = self.__dict__.get("_base")
        if base is not None and base[0]() is old:
            return base[1]
        return changed_paths(old, self)


def changed_paths(old: Vault, new: Vault) -> list[str]:
    """Notes added, removed, or holding other Note or Story objects in `new` than in `old`
    (the pipeline makes new objects only for a note it analysed again)."""
    old_notes, old_told = old.notes, old.told
    changed = [p for p, note in new.notes.items() if old_notes.get(p) is not note or old_told.get(p) is not new.told[p]]
    if len(new.notes) - len(changed) != len(old_notes):
        changed += [p for p in old_notes if p not in new.notes]
    return changed


class LinkLookups:
    """The notes whose links look up each lower-cased file name (`obsidian.lookup_keys`):
    when files of some names come or go, only those notes' links may open something else.
    Never changed once made: `replace` makes the lookups of a vault with other notes."""

    def __init__(self) -> None:
        self._keys: dict[str, frozenset[str]] = {}  # note path -> the names its links look up
        self._notes: dict[str, set[str]] = {}  # name -> paths of the notes looking it up

    @classmethod
    def build(cls, notes: Mapping[str, Note]) -> LinkLookups:
        """The lookups of these notes."""
        lookups = cls()
        fresh: set[Any] = set()
        for path, note in notes.items():
            lookups._file(path, note, fresh)
        return lookups

    def replace(self, paths: Iterable[str], notes: Mapping[str, Note]) -> LinkLookups:
        """The lookups with the notes at `paths` as `notes` has them (gone when it has none)."""
        new = LinkLookups.__new__(LinkLookups)
        new._keys, new._notes = dict(self._keys), dict(self._notes)
        fresh: set[Any] = set()
        for path in paths:
            for name in new._keys.pop(path, ()):
                _writable(new._notes, name, fresh, set).discard(path)
            if path in notes:
                new._file(path, notes[path], fresh)
        return new

    def looking_up(self, names: Iterable[str]) -> set[str]:
        """The notes with a link that looks up one of these file names."""
        return set().union(*(self._notes.get(name, ()) for name in names))

    def _file(self, path: str, note: Note, fresh: set[Any]) -> None:
        keys = frozenset(key for link in note.links if link.target for key in lookup_keys(link.target))
        self._keys[path] = keys
        for key in keys:
            _writable(self._notes, key, fresh, set).add(path)


# -- the story bank -------------------------------------------------------------------

Identity = tuple[str | bytes, ...]
T = TypeVar("T")


def _text_key(story: Story) -> bytes:
    """`words_digest` of the story's parts, as its note's analysis worked it out (on every
    core, and kept in the parse cache) when it did."""
    return story.text_digest if story.text_digest is not None else words_digest(story.parts)


def story_identity(story: Story) -> Identity:
    """What makes two occurrences one story: the same key, or the same title with the
    same text. A blank skeleton or an unstructured story is only ever itself."""
    if story.key:
        return ("key", story.key.lower())
    text = _text_key(story) if story.structured else ""
    return ("text", story.title.lower(), text) if text else ("at", story.note, str(story.line))


def _place(story: Story) -> tuple[str, int]:
    return story.note, story.line


def _head(entry: BankEntry) -> tuple[str, int]:
    return entry.story.note, entry.story.line


ALL, UNDER, REUSED, UNASSIGNED = "all", "under", "reused", "unassigned"  # the kinds of entry lists


class StoryBank:
    """Distinct stories (reuse merged), with the lists lint and index read: the entries
    under each principle, the reused and the unassigned ones (each in bank order: note
    and line of an entry's first occurrence), the stories told under each principle;
    and counts: entries per status (in all and under each principle), and how many
    entries under a principle also serve each other one.

    Never changed once made: `replace` makes the bank of a vault that differs in a few
    notes (`watch`). It regroups only the stories of those notes and shares every list
    they do not touch, so a list that is the same object holds the same entries."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._rank = {p.name: i for i, p in enumerate(catalog.principles)}
        self._groups: dict[Identity, BankEntry] = {}
        self._lists: dict[tuple[str, str], list[BankEntry]] = {}  # (kind, principle or '') -> entries
        self._told: dict[str, list[Story]] = {}  # principle -> stories naming it, in note and line order
        self._statuses: dict[str, Counter[str]] = {}  # principle ('' for all) -> entries per status value
        self._also: dict[str, Counter[str]] = {}  # principle -> other principle -> entries serving both

    @classmethod
    def build(cls, stories: Iterable[Story], catalog: Catalog) -> StoryBank:
        """The bank of these stories."""
        bank = cls(catalog)
        ordered = sorted(stories, key=_place)
        groups: dict[Identity, list[Story]] = {}
        for story in ordered:
            groups.setdefault(story_identity(story), []).append(story)
        for identity, group in groups.items():  # in order of first occurrence: bank order
            entry = bank._groups[identity] = bank._entry(group)
            for key in _lists_of(entry):
                bank._lists.setdefault(key, []).append(entry)
            bank._count(entry, 1, _new_counter)
        for story in ordered:
            for name in story.principles:
                bank._told.setdefault(name, []).append(story)
        return bank

    @cached_property
    def entries(self) -> tuple[BankEntry, ...]:
        """Every entry, in bank order."""
        return tuple(self._lists.get((ALL, ""), ()))

    def under(self, principle: str) -> Sequence[BankEntry]:
        """The entries serving `principle`, in bank order (shared: never change it)."""
        return self._lists.get((UNDER, principle), ())

    @property
    def reused(self) -> Sequence[BankEntry]:
        """Entries serving more than one principle, in bank order (shared: never change it)."""
        return self._lists.get((REUSED, ""), ())

    @property
    def unassigned(self) -> Sequence[BankEntry]:
        """Entries serving no principle, in bank order (shared: never change it)."""
        return self._lists.get((UNASSIGNED, ""), ())

    def entry_of(self, story: Story) -> BankEntry | None:
        """The entry `story` (an object of this bank) is an occurrence of."""
        entry = self._groups.get(story_identity(story))
        return entry if entry is not None and any(s is story for s in entry.occurrences) else None

    def told(self, principle: str) -> Sequence[Story]:
        """Every story (occurrence) naming `principle`, in note and line order."""
        return self._told.get(principle, ())

    def told_names(self) -> list[str]:
        """The principle names stories name (also names outside the catalog)."""
        return [name for name, stories in self._told.items() if stories]

    def statuses(self, principle: str = "") -> dict[str, int]:
        """Entries per status value, in all or under `principle` (statuses with none left out)."""
        return {status: n for status, n in self._statuses.get(principle, {}).items() if n}

    def also_serves(self, principle: str) -> dict[str, int]:
        """Other principle -> how many entries under `principle` serve it too (none left out)."""
        return {name: n for name, n in self._also.get(principle, {}).items() if n}

    def replace(self, removed: Iterable[Story], added: Iterable[Story]) -> StoryBank:
        """The bank without the `removed` stories (objects of this bank) and with `added`."""
        removed, added = list(removed), list(added)
        bank = StoryBank.__new__(StoryBank)
        bank.catalog, bank._rank = self.catalog, self._rank
        bank._groups, bank._lists, bank._told = dict(self._groups), dict(self._lists), dict(self._told)
        bank._statuses, bank._also = dict(self._statuses), dict(self._also)
        fresh: set[Any] = set()  # what is already copied for the new bank: see `_writable`
        gone = {id(story) for story in removed}
        identities = {id(story): story_identity(story) for story in removed + added}
        regroup: dict[Identity, list[Story]] = {}
        for story in removed + added:
            identity = identities[id(story)]
            if identity not in regroup:
                old = self._groups.get(identity)
                regroup[identity] = [s for s in (old.occurrences if old else ()) if id(s) not in gone]
        for story in added:
            regroup[identities[id(story)]].append(story)
        for identity, group in regroup.items():
            old = bank._groups.pop(identity, None)
            if old is not None:
                bank._file(old, drop=True, fresh=fresh)
            if group:
                entry = bank._groups[identity] = bank._entry(sorted(group, key=_place))
                bank._file(entry, drop=False, fresh=fresh)
        for story in removed:
            for name in story.principles:
                _take_out(_writable(bank._told, name, fresh), story, _place)
        for story in added:
            for name in story.principles:
                insort(_writable(bank._told, name, fresh), story, key=_place)
        return bank

    def _entry(self, group: list[Story]) -> BankEntry:
        """The entry of these occurrences (in order): principles are the union, in catalog order."""
        names = {name for story in group for name in story.principles}
        principles = tuple(sorted(names, key=lambda n: (self._rank.get(n, len(self._rank)), n)))
        return BankEntry(group[0], tuple(group), principles)

    def _file(self, entry: BankEntry, *, drop: bool, fresh: set[Any]) -> None:
        """Put `entry` in (or take it out of) its lists and counts."""
        for key in _lists_of(entry):
            entries = _writable(self._lists, key, fresh)
            if drop:
                _take_out(entries, entry, _head)
            elif entries and _head(entries[-1]) > _head(entry):
                insort(entries, entry, key=_head)
            else:
                entries.append(entry)
        self._count(entry, -1 if drop else 1, lambda store, key: _writable(store, key, fresh, Counter))

    def _count(self, entry: BankEntry, step: int, counter: Callable[[dict[str, Counter[str]], str], Counter[str]]) -> None:
        """Add `entry` to the counts (`step` -1: take it away); `counter(store, key)` is the Counter to change."""
        status = entry.story.status.value
        for name in ("", *entry.principles):
            counter(self._statuses, name)[status] += step
        if len(entry.principles) > 1:
            for name in entry.principles:
                also = counter(self._also, name)
                for other in entry.principles:
                    if other != name:
                        also[other] += step


def _new_counter(store: dict[str, Counter[str]], key: str) -> Counter[str]:
    """store[key], a new Counter the first time."""
    counter = store.get(key)
    if counter is None:
        counter = store[key] = Counter()
    return counter


def _lists_of(entry: BankEntry) -> list[tuple[str, str]]:
    """The keys of the lists `entry` belongs to."""
    keys = [(ALL, "")] + [(UNDER, name) for name in entry.principles]
    if entry.reused:
        keys.append((REUSED, ""))
    if not entry.principles:
        keys.append((UNASSIGNED, ""))
    return keys


def _writable(store: dict[Any, Any], key: Any, fresh: set[Any], copy: Callable[[Any], Any] = list) -> Any:
    """store[key], copied the first time it is written to (the old bank keeps the original);
    `fresh` holds (store, key) of the values already copied."""
    if (id(store), key) not in fresh:
        store[key] = copy(store.get(key, ()))
        fresh.add((id(store), key))
    return store[key]


def _take_out(items: list[T], item: T, key: Callable[[T], Any]) -> None:
    """Remove the object `item` from `items`, sorted by `key`."""
    index = bisect_left(items, key(item), key=key)
    while items[index] is not item:
        index += 1
    del items[index]


def build_bank(stories: Iterable[Story], catalog: Catalog) -> tuple[BankEntry, ...]:
    """Group occurrences of the same story; principles are the union, in catalog order."""
    return StoryBank.build(stories, catalog).entries
