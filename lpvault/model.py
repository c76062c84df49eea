"""The data that flows through the pipeline: frozen records, no I/O.

scan -> parse (Note) -> stories (Story) -> Vault -> lint | index.
Line numbers are 1-based lines of the note's file as the user sees it
(front matter included); columns are 1-based.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from hashlib import blake2b
from operator import attrgetter
from sys import intern
from typing import TYPE_CHECKING, Any, Callable, Mapping

from lpvault.records import pickled_as_arguments

if TYPE_CHECKING:
    from lpvault.findings import Finding


class Status(str, Enum):
    """How finished a story is."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    BLANK = "blank"
    UNSTRUCTURED = "unstructured"


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Heading:
    """A Markdown heading; `targetable` is False where Obsidian cannot link to it
    (inside a quote, callout or list item)."""

    level: int
    text: str
    line: int
    targetable: bool = True


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Link:
    """A wikilink, embed or Markdown link to another note (or the same note)."""

    target: str  # the path part as written ('' for a same-note link)
    subpath: str | None  # '#Heading', '#A#B', '#^block' or None
    alias: str | None
    embed: bool
    line: int
    column: int
    markdown: bool = False  # [text](dest) rather than [[...]]


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Tag:
    """A tag without its '#', where it was written (front matter: line of the key)."""

    name: str
    line: int
    column: int = 1


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Block:
    """One leaf block of a note, in document order, with exact source lines.

    kind: 'heading', 'paragraph', 'break', 'code', 'html', 'table'.
    `text` is the raw inline source of the block (front of each line stripped of
    list and quote markers); `lines[i]` is the source line of `text`'s i-th line.
    `depth` is the list nesting (0 outside lists); `item` is True for the first
    block of a list item; `quoted` for blocks inside a block quote or callout.
    """

    kind: str
    line: int
    end_line: int
    text: str = ""
    level: int = 0
    depth: int = 0
    item: bool = False
    quoted: bool = False
    commented: bool = False  # inside a %% comment: invisible to everything but directives


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong found while reading or parsing a note, named by rule name."""

    rule: str
    line: int
    column: int
    message: str


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Directive:
    """An inline `lpvault-disable/enable/disable-next-line` comment."""

    action: str  # 'disable', 'enable', 'disable-next-line'
    codes: tuple[str, ...]  # empty: every rule
    line: int


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Note:
    """Everything lpvault knows about one Markdown file."""

    path: str  # vault-relative POSIX path
    title: str
    front_matter: Mapping[str, Any] | None = None
    front_matter_end: int = 0  # last line of the front matter block (0: none)
    aliases: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    headings: tuple[Heading, ...] = ()
    links: tuple[Link, ...] = ()
    block_ids: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    problems: tuple[Problem, ...] = ()
    directives: tuple[Directive, ...] = ()
    line_count: int = 0

    @property
    def stem(self) -> str:
        """The file name without folder and `.md`: what `[[name]]` matches."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name


@dataclass(frozen=True, slots=True)
class Part:
    """One labelled part of a story (a STAR part or an extra such as Reflection)."""

    name: str  # canonical: 'situation', ... or the extra's lower-case label
    label: str  # the label as written
    text: str
    line: int
    blank: bool
    placeholder_lines: tuple[int, ...] = ()

    def __reduce__(self) -> tuple[Callable[..., Part], tuple[Any, ...]]:
        return _unpickled_part, _PART_VALUES(self)


_PART_VALUES = attrgetter(*Part.__dataclass_fields__)


def _unpickled_part(name: str, label: str, *rest: Any) -> Part:
    """A Part pickled elsewhere (a worker, the cache): its name and label are a few words
    repeated over the whole vault, held once rather than once per part."""
    return Part(intern(name), intern(label), *rest)


_WORD = re.compile(r"\w+")


def words_digest(parts: Mapping[str, Part]) -> bytes:
    """A digest of the words of a story's parts, lower-cased, one space apart (b'' for none):
    what tells two tellings of a story apart (vault.story_identity), 16 bytes instead of a
    second copy of the story's text."""
    words = " ".join(_WORD.findall(" ".join(p.text for p in parts.values()))).lower()
    return blake2b(words.encode(), digest_size=16).digest() if words else b""


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Story:
    """A story as found in one place of one note."""

    note: str
    title: str
    line: int
    end_line: int
    key: str | None = None
    principles: tuple[str, ...] = ()  # canonical names
    principle_source: str = ""  # which source decided: 'heading', 'field', ...
    heading_path: tuple[str, ...] = ()
    anchor: str = ""  # Obsidian subpath without '#' chain prefix, '' = the note itself
    parts: Mapping[str, Part] = field(default_factory=dict)
    extras: Mapping[str, Part] = field(default_factory=dict)
    words: int = 0
    status: Status = Status.UNSTRUCTURED
    structured: bool = True
    text_digest: bytes | None = None  # words_digest(parts), worked out with the note (None: when asked)

    @property
    def filled(self) -> frozenset[str]:
        """The STAR parts that hold real text."""
        return frozenset(n for n, p in self.parts.items() if not p.blank)


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class BankEntry:
    """One distinct story of the bank: the same story used in several places
    (same key, or same title and text) is one entry with several principles."""

    story: Story  # the first occurrence: its title, status and parts speak for the entry
    occurrences: tuple[Story, ...]
    principles: tuple[str, ...]  # union over occurrences, in catalog order

    @property
    def reused(self) -> bool:
        """Serves more than one principle."""
        return len(self.principles) > 1

    def occurrence_for(self, principle: str) -> Story:
        """Where the story is told under `principle` (the first occurrence otherwise)."""
        return next((s for s in self.occurrences if principle in s.principles), self.story)


@pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Analysis:
    """One note's parse result and its stories: the unit the cache and the watcher keep."""

    note: Note
    stories: tuple[Story, ...]
    findings: tuple[Finding, ...] | None = None  # lint.NoteLinter (None: not worked out)
