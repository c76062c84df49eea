"""The whole vault in memory: notes, stories, the story bank and the link resolver."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

from lpvault.config import Config
from lpvault.model import BankEntry, Note, Story
from lpvault.principles import Catalog


@dataclass(frozen=True)
class Vault:
    """Everything lint and index need; built by the pipeline, never does I/O."""

    config: Config
    catalog: Catalog
    notes: Mapping[str, Note]
    stories: tuple[Story, ...]
    others: tuple[str, ...] = ()
    output_paths: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def bank(self) -> tuple[BankEntry, ...]:
        """Distinct stories, reuse merged, in note and line order."""
        return build_bank(self.stories, self.catalog)



def _text_key(story: Story) -> str:
    text = " ".join(p.text for p in story.parts.values())
    return re.sub(r"\W+", " ", text).strip().lower()


def _identity(story: Story) -> tuple[str, ...]:
    """Same key, or same title with the same text (and never an empty story)."""
    if story.key:
        return ("key", story.key.lower())
    return ("text", story.title.lower(), _text_key(story)) if story.structured else ("at", story.note, str(story.line))


# Each story's identity, by Story object, from the last build_bank call (`watch` builds
# the bank once per cycle from mostly the same Story objects); replaced on every call.
_LAST_IDENTITIES: dict[int, tuple[Story, tuple[str, ...]]] = {}


def build_bank(stories: Iterable[Story], catalog: Catalog) -> tuple[BankEntry, ...]:
    """Group occurrences of the same story; principles are the union, in catalog order."""
    global _LAST_IDENTITIES
    last, known = _LAST_IDENTITIES, {}
    groups: dict[tuple[str, ...], list[Story]] = {}
    for story in sorted(stories, key=lambda s: (s.note, s.line)):
        kept = last.get(id(story))
        key = kept[1] if kept is not None and kept[0] is story else _identity(story)
        known[id(story)] = (story, key)
        if key[0] == "text" and not key[2]:
            key = ("at", story.note, str(story.line))  # blank skeletons are never "the same story"
        groups.setdefault(key, []).append(story)
    _LAST_IDENTITIES = known
    order = {p.name: i for i, p in enumerate(catalog.principles)}
    entries = []
    for group in groups.values():
        names = {name for s in group for name in s.principles}
        principles = tuple(sorted(names, key=lambda n: (order.get(n, len(order)), n)))
        entries.append(BankEntry(group[0], tuple(group), principles))
    return tuple(entries)
