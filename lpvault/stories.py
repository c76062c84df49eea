"""Note -> stories: labels, parts, boundaries, status, principles.

A story starts at a heading (its title), a `**Project:**` line, a bold line or
`##Heading` standing alone, or a Situation label after a story that already
holds part labels. A thematic break ends a story that holds labels. A part's
text runs from its label to the next label, heading or story boundary; a part
labelled in a list item keeps only that item and its nested lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from lpvault import obsidian
from lpvault.assign import NoteSources, StoryContext, decide_principles
from lpvault.config import STAR_PARTS
from lpvault.labels import Label, LabelReader
from lpvault.model import Note, Part, Status, Story, words_digest

# Possessive blanks and digits: giving them back never helps a match, and
# backtracking over a long run of them is quadratic.
_PSEUDO_BOLD = re.compile(r"^\s*+(\*\*|__)(?P<title>[^*_\n]+?)\1\s*+:?\s*+$")
_PSEUDO_HASHES = re.compile(r"^(?P<hashes>#{2,6})(?P<title>[^\s#].*)$")
_KEYED_TITLE = re.compile(r"^(?P<key>[A-Za-z]{1,6}\d++[A-Za-z0-9]*+)[.:)]\s*(?P<title>.*)$")
_BLANK_NOISE = re.compile(r"&nbsp;|&#160;|<br\s*/?>|\u00a0|^[\s*+\->]+$", re.I)
_NOISE_ONLY = re.compile(r"^[\s*+\->]+$")
_HR_HTML = re.compile(r"^\s*<hr\s*/?>\s*$", re.I)
_BOLD_TITLE = re.compile(r"^(\*\*|__)(.+)\1$")
_WORD = re.compile(r"[\w'’]+")
_ASCII_NOT_IN_WORD = bytes(c if chr(c).isalnum() and c < 128 or chr(c) in "_'" else 32 for c in range(256))
_PLACEHOLDER_PREFIX = re.compile(r"^(todo|tbd|fixme)\b", re.I)


@dataclass(frozen=True)
class StoryOptions:
    """The settings story extraction depends on."""

    placeholders: frozenset[str]
    required_parts: tuple[str, ...] = ("situation", "action", "result")


@dataclass(slots=True)
class _Line:
    """One line of a text block, or a heading, label-heading or break."""

    kind: str  # 'text', 'heading', 'break'
    line: int
    text: str
    depth: int = 0
    item: bool = False  # first line of a list item
    block_start: bool = False
    level: int = 0
    heading_index: int | None = None  # index into note.headings (real headings)


@dataclass
class _PartDraft:
    label: Label
    line: int
    depth: int
    item: bool
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Section:
    title: str
    line: int
    level: int
    heading_index: int | None
    has_labels: bool = False
    prose: list[tuple[int, str]] = field(default_factory=list)
    stories: int = 0
    pending: list[_PartDraft] = field(default_factory=list)  # extras before the first story
    principle_field: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    title: str
    line: int
    section: _Section
    stack: tuple[tuple[int, str, int | None], ...]
    key: str | None = None
    parts: dict[str, _PartDraft] = field(default_factory=dict)
    extras: dict[str, _PartDraft] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)

    @property
    def has_parts(self) -> bool:
        return bool(self.parts)


class _Extractor:
    """Walks a note's lines once and collects its stories."""

    def __init__(self, note: Note, reader: LabelReader, options: StoryOptions, sources: NoteSources) -> None:
        self.note, self.reader, self.options, self.sources = note, reader, options, sources
        self.stack: list[tuple[int, str, int | None]] = []  # (level, title, heading index)
        self.section = _Section(note.stem, 1, 0, None)
        self.story: _Draft | None = None
        self.part: _PartDraft | None = None
        self.stories: list[Story] = []
        self.anchors: dict[int, str] = {}  # heading index -> anchor

    def run(self) -> list[Story]:
        for line in _lines(self.note):
            self._feed(line)
        self._close_section(next_level=0)
        return self.stories

    def _feed(self, line: _Line) -> None:
        if line.kind == "break":
            self._break()
        elif line.kind == "heading":
            label = self.reader.read(line.text, heading=True)
            if label is not None and label.kind in ("part", "extra"):
                self._label(label, line)
            else:
                self._heading(line.level, _clean_title(line.text), line)
        else:
            self._text(line)

    # -- boundaries ---------------------------------------------------------------

    def _heading(self, level: int, title: str, line: _Line) -> None:
        self._close_section(next_level=level)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title, line.heading_index))
        self.section = _Section(title, line.line, level, line.heading_index)

    def _break(self) -> None:
        if self.story is not None and self.story.has_parts:
            self._close_story()
        self.part = None

    def _close_section(self, *, next_level: int) -> None:
        self._close_story()
        section = self.section
        leaf = next_level == 0 or next_level <= section.level
        if not section.has_labels and section.prose and leaf and self._principle_heading():
            self.stories.append(self._unstructured(section))

    def _close_story(self) -> None:
        if self.story is not None:
            self.stories.append(self._finish(self.story))
        self.story, self.part = None, None

    def _start_story(self, line: int, title: str | None = None, key: str | None = None) -> _Draft:
        self._close_story()
        section = self.section
        section.stories += 1
        if title is None:
            title = section.title if section.stories == 1 else f"{section.title} ({section.stories})"
        start = min([line] + [p.line for p in section.pending])  # a Customer Problem line opens the story
        self.story = _Draft(title, start, section, tuple(self.stack), key)
        for pending in section.pending:
            self.story.extras.setdefault(pending.label.name, pending)
        section.pending = []
        self.story.fields += section.principle_field
        return self.story

    # -- labels and text ----------------------------------------------------------

    def _label(self, label: Label, line: _Line) -> None:
        self.section.has_labels = True
        if label.kind == "project":
            self._project(label, line)
        elif label.kind == "principle":
            (self.story.fields if self.story else self.section.principle_field).append(label.rest)
        elif label.kind == "extra" and self.story is None:
            self.part = _PartDraft(label, line.line, line.depth, line.item, [(line.line, label.rest)])
            self.section.pending.append(self.part)
        else:
            self._part(label, line)

    def _project(self, label: Label, line: _Line) -> None:
        match = _KEYED_TITLE.match(label.rest)
        key, title = (match.group("key"), match.group("title")) if match else (None, label.rest)
        title = title.strip()
        if not title or re.fullmatch(r"\(\w+\)", title):
            title = self.section.title
        story = self._start_story(line.line, title=title, key=key)
        story.line = line.line  # the Project line opens the story, even after a Value line
        self.part = None

    def _part(self, label: Label, line: _Line) -> None:
        story = self.story
        if story is None or label.kind == "part" and label.name == "situation" and story.has_parts:
            story = self._start_story(line.line)
        self.part = _PartDraft(label, line.line, line.depth, line.item, [(line.line, label.rest)])
        target = story.parts if label.kind == "part" else story.extras
        if label.name in target:
            target[label.name].lines += self.part.lines
            self.part = target[label.name]
        else:
            target[label.name] = self.part

    def _text(self, line: _Line) -> None:
        if self._nested_in_part(line):
            self.part.lines.append((line.line, line.text))
            return
        label = self.reader.read(line.text)
        if label is not None:
            self._label(label, line)
            return
        pseudo = _pseudo_heading(line)
        if pseudo is not None:
            self._heading(pseudo[0], pseudo[1], line)
            return
        if self.part is not None and not self._leaves_part(line):
            self.part.lines.append((line.line, line.text))
            return
        self.part = None
        if line.text.strip() and not self.reader.is_legend(line.text):
            self.section.prose.append((line.line, line.text))

    def _nested_in_part(self, line: _Line) -> bool:
        """A line nested deeper than the list item holding the current part's label."""
        part = self.part
        return part is not None and part.item and line.depth > part.depth

    def _leaves_part(self, line: _Line) -> bool:
        """A new block at or above the depth of a part labelled in a list item."""
        part = self.part
        return part is not None and part.item and line.block_start and line.depth <= part.depth

    def _principle_heading(self) -> bool:
        return any(self.sources.heading_principles(title) for _, title, _ in self.stack)

    # -- finishing --------------------------------------------------------------

    def _finish(self, draft: _Draft) -> Story:
        parts, extras, end = {}, {}, draft.line
        for records, drafts in ((parts, draft.parts), (extras, draft.extras)):
            for name, part in drafts.items():
                records[name], last = self._part_record(part)
                end = max(end, last)
        context = StoryContext(draft.title, tuple(t for _, t, _ in draft.stack), tuple(draft.fields))
        principles, source = decide_principles(context, self.sources)
        return Story(
            note=self.note.path, title=draft.title, line=draft.line, end_line=end, key=draft.key,
            principles=principles, principle_source=source, heading_path=context.heading_path,
            anchor=self._anchor(draft.stack), parts=parts, extras=extras,
            words=sum(_words(p.text) for p in parts.values() if not p.blank), status=_status(parts, self.options),
            text_digest=words_digest(parts),
        )

    def _unstructured(self, section: _Section) -> Story:
        text = "\n".join(t for _, t in section.prose)
        context = StoryContext(section.title, tuple(t for _, t, _ in self.stack), ())
        principles, source = decide_principles(context, self.sources)
        return Story(
            note=self.note.path, title=section.title, line=section.line, end_line=section.prose[-1][0],
            principles=principles, principle_source=source, heading_path=context.heading_path,
            anchor=self._anchor(tuple(self.stack)), words=_words(text), status=Status.UNSTRUCTURED,
            structured=False,
        )

    def _anchor(self, stack: tuple[tuple[int, str, int | None], ...]) -> str:
        """The subpath of the nearest heading Obsidian can open, '' for the note."""
        for _, _, index in reversed(stack):
            if index is not None:
                anchor = self._heading_anchor(index)
                if anchor:
                    return anchor
        return ""

    def _heading_anchor(self, index: int) -> str:
        """`obsidian.heading_anchor` of one heading, worked out once per note."""
        if index not in self.anchors:
            self.anchors[index] = obsidian.heading_anchor(self.note.headings, index)
        return self.anchors[index]

    def _part_record(self, draft: _PartDraft) -> tuple[Part, int]:
        """The Part, and the last line it reaches (its label's line, or a line that is not blank)."""
        kept, placeholders = [], []
        last = draft.lines[0][0] if draft.lines else 0
        for line, text in draft.lines:
            state = _line_state(text, self.options.placeholders)
            if state == "placeholder":
                placeholders.append(line)
            elif state == "text":
                kept.append(text.strip())
            if state != "blank":
                last = max(last, line)
        text = "\n".join(t.strip() for _, t in draft.lines).strip()
        return Part(draft.label.name, draft.label.written, text, draft.line, not kept, tuple(placeholders)), last


def _line_state(text: str, placeholders: frozenset[str]) -> str:
    """'blank', 'placeholder' or 'text' for one line of a part."""
    if "&" in text or "<" in text or "\u00a0" in text:
        content = _BLANK_NOISE.sub("", text).strip()
    else:  # then only the last alternative of _BLANK_NOISE can match: all of the text
        content = "" if _NOISE_ONLY.match(text) else text.strip()
    if not content:
        return "blank"
    if content.lower() in placeholders or content.strip(".:;!-").lower() in placeholders:
        return "placeholder"
    return "placeholder" if _PLACEHOLDER_PREFIX.match(content) else "text"


def _status(parts: dict[str, Part], options: StoryOptions) -> Status:
    filled = {name for name, part in parts.items() if not part.blank and name in STAR_PARTS}
    if not filled:
        return Status.BLANK
    return Status.COMPLETE if set(options.required_parts) <= filled else Status.PARTIAL


def _words(text: str) -> int:
    if text.isascii():  # runs of [A-Za-z0-9_'], counted without stepping a regex through them
        return len(text.encode("ascii").translate(_ASCII_NOT_IN_WORD).split())
    return len(_WORD.findall(text))


def _clean_title(text: str) -> str:
    text = text.strip()
    bold = _BOLD_TITLE.match(text)  # `**Title**` (what re.sub(..., r"\2") left of it)
    text = bold.group(2) if bold else text
    return " ".join(text.rstrip(":").split()) or text


def _pseudo_heading(line: _Line) -> tuple[int, str] | None:
    """`**Bold line**` alone, or `##Heading` without its space: a heading in all but syntax."""
    if line.depth != 0 or not line.block_start and not line.text.startswith("#"):
        return None
    hashes = _PSEUDO_HASHES.match(line.text.strip())
    if hashes:
        return len(hashes.group("hashes")), _clean_title(hashes.group("title"))
    bold = _PSEUDO_BOLD.match(line.text) if line.block_start else None
    if bold and line.text.count("\n") == 0:
        return 7, _clean_title(bold.group("title"))
    return None


def _lines(note: Note) -> Iterator[_Line]:
    """The note as a flat sequence of headings, breaks and text lines."""
    heading_index = -1
    for block in note.blocks:
        if block.commented or block.kind == "code":
            continue
        if block.kind == "heading":
            heading_index += 1
            yield _Line("heading", block.line, block.text, level=block.level,
                        heading_index=heading_index if not block.quoted and block.depth == 0 else None)
        elif block.kind == "break" or block.kind == "html" and _HR_HTML.match(block.text):
            yield _Line("break", block.line, "")
        elif block.kind in ("paragraph", "table"):
            for index, text in enumerate(block.text.split("\n")):
                yield _Line("text", block.line + index, text, block.depth, block.item and index == 0, index == 0)


def extract_stories(note: Note, *, reader: LabelReader, options: StoryOptions, sources: NoteSources) -> list[Story]:
    """Every story in `note`, in document order."""
    return _Extractor(note, reader, options, sources).run()
