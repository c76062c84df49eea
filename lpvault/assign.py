"""Which principles a story belongs to: the first source that names any wins.

Order (SPEC section 2): the principle heading it sits under; a story-level
field (`**Principle:** X`, `Principle:: X`); a mapping list in the same note;
the note's title or file name; front matter and tags (one source); a quoted
principle wording.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from lpvault import obsidian
from lpvault.model import Note
from lpvault.principles import Catalog

_MAPPING = re.compile(r"^(?P<name>[^:]{2,80}?)\s*:\s*(?P<target>.+)$")
_BOLD_TITLE = re.compile(r"^(\*\*|__)(?P<title>.+?)\1\s*$")
_SAME_NOTE_LINK = re.compile(r"^!?\[\[[^\]#|]*#(?P<title>[^\]|]+)(?:\|[^\]]*)?\]\]\s*$")
_FRONT_MATTER_KEYS = ("principles", "principle", "lp")


@dataclass(frozen=True)
class StoryContext:
    """What a story itself says about its principles."""

    title: str
    heading_path: tuple[str, ...]
    fields: tuple[str, ...]


class NoteSources:
    """The note-level sources of principles, computed once per note."""

    def __init__(self, note: Note, catalog: Catalog) -> None:
        self.note, self.catalog = note, catalog
        self._headings: dict[str, tuple[str, ...]] = {}

    def heading_principles(self, title: str) -> tuple[str, ...]:
        """The principle a heading names, if it names one."""
        if title not in self._headings:
            found = self.catalog.match(title)
            self._headings[title] = (found.name,) if found else ()
        return self._headings[title]

    def names(self, texts: Iterable[str]) -> tuple[str, ...]:
        """Canonical names of the principles named in `texts`, in catalog order."""
        found = {p.name for text in texts for p in self._match_list(text)}
        return tuple(p.name for p in self.catalog.principles if p.name in found)

    def _match_list(self, text: str) -> list[Any]:
        # Possessive runs, and blanks collapsed before the split below: both expressions
        # backtrack quadratically over a long run otherwise (a 5 MB `Principle::` line).
        text = " ".join(re.sub(r"!?\[\[([^\]|#]++)[^\]]*+\]\]", r"\1", str(text)).split())
        whole = self.catalog.match(text)
        if whole is not None:
            return [whole]
        pieces = re.split(r"\s*[,;/]\s*|\s+\band\b\s+(?=[A-Z])", text)
        return [p for p in (self.catalog.match(piece) for piece in pieces if piece) if p is not None]

    @cached_property
    def mapping(self) -> dict[str, tuple[str, ...]]:
        """Story title key -> principles, from `- Principle: **Title**` list items."""
        found: dict[str, set[str]] = {}
        for block in self.note.blocks:
            if block.item and not block.commented and block.kind == "paragraph":
                self._read_mapping_item(block.text.split("\n", 1)[0], found)
        return {key: self.names(names) for key, names in found.items()}

    def _read_mapping_item(self, text: str, found: dict[str, set[str]]) -> None:
        match = _MAPPING.match(text.strip())
        if not match or self.catalog.match(match.group("name")) is None:
            return
        target = match.group("target").strip()
        title = _BOLD_TITLE.match(target) or _SAME_NOTE_LINK.match(target)
        if title:
            key = obsidian.heading_key(title.group("title"))
            found.setdefault(key, set()).add(match.group("name"))

    @cached_property
    def title(self) -> tuple[str, ...]:
        """The principle named by the note's file name or front-matter title."""
        candidates = [self.note.stem]
        fm = self.note.front_matter or {}
        if isinstance(fm.get("title"), str):
            candidates.append(fm["title"])
        for text in candidates:
            found = self.catalog.match_filename(text)
            if found is not None:
                return (found.name,)
        return ()

    @cached_property
    def front_matter_and_tags(self) -> tuple[str, ...]:
        """Principles named by front matter keys, aliases or tags, as one source."""
        fm = self.note.front_matter or {}
        texts: list[str] = []
        for key in _FRONT_MATTER_KEYS:
            value = fm.get(key)
            texts += [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
        texts += list(self.note.aliases)
        found = set(self.names(texts))
        found |= {p.name for p in (self.catalog.match_tag(t.name) for t in self.note.tags) if p}
        return tuple(p.name for p in self.catalog.principles if p.name in found)

    @cached_property
    def wording(self) -> tuple[str, ...]:
        """The principle whose official wording the note quotes."""
        text = "\n".join(b.text for b in self.note.blocks if b.kind == "paragraph" and not b.commented)
        found = self.catalog.find_wording(text)
        return (found.name,) if found else ()


def decide_principles(story: StoryContext, sources: NoteSources) -> tuple[tuple[str, ...], str]:
    """(principles, the source that decided) for one story; ((), 'unassigned') if none."""
    for title in reversed(story.heading_path):
        if sources.heading_principles(title):
            return sources.heading_principles(title), "heading"
    candidates = (
        ("field", lambda: sources.names(story.fields)),
        ("mapping", lambda: sources.mapping.get(obsidian.heading_key(story.title), ())),
        ("title", lambda: sources.title),
        ("front-matter", lambda: sources.front_matter_and_tags),
        ("wording", lambda: sources.wording),
    )
    for name, find in candidates:
        found = find()
        if found:
            return found, name
    return (), "unassigned"
