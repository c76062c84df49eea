"""Links, tags and block ids in a note's visible text, with exact lines and columns.

Input is the note's leaf blocks (comments already blanked, offsets kept, by
parse.py) and its source lines. Code spans and inline HTML comments are
blanked here, so nothing inside them is a link or a tag (OBSIDIAN.md §1, §4,
§9, §11). Columns are 1-based columns of the source line as the user sees it:
list and quote markers, indentation and table pipes included.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable, Iterator

from lpvault import obsidian
from lpvault.model import Block, Link, Tag

CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# [text](destination "title"): one level of nested brackets in the text, one
# level of balanced parentheses in the destination, CommonMark's three title forms.
MD_LINK = re.compile(
    r"(?<!\\)(!?)\[((?:[^\[\]\n\\]|\\.|\[[^\[\]\n]*\])*)\]"
    r"\(\s*(<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
_TEXT_KINDS = ("paragraph", "heading", "table")


def blank(match: re.Match[str]) -> str:
    """The match with every character but line breaks turned into a space."""
    return re.sub(r"[^\n]", " ", match.group(0))


def plain(text: str) -> str:
    """`text` with code spans and inline HTML comments blanked, offsets kept."""
    if "`" in text:
        text = blank_spans(text, code_spans(text))
    if "<!--" in text:
        text = blank_spans(text, html_comment_spans(text))
    return text


_BACKTICKS = re.compile(r"`+")


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every code span: a backtick run closed by the next run of
    the same length (CommonMark); an unclosed run is text. Linear in `text`,
    unlike a regular expression, which retries every run to the end of a
    5 MB line."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    spans, index = [], 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        closer = bisect_right(same, index)
        if closer < len(same):
            spans.append((start, runs[same[closer]][1]))
            index = same[closer] + 1
        else:
            index += 1
    return spans


def html_comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every `<!-- ... -->`, as `<!--.*?-->` finds them, in linear time."""
    spans = []
    start = text.find("<!--")
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment after this one can close either
        spans.append((start, end + 3))
        start = text.find("<!--", end + 3)
    return spans


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with every character in `spans` but line breaks turned into a space."""
    pieces, at = [], 0
    for start, end in spans:
        pieces += [text[at:start], re.sub(r"[^\n]", " ", text[start:end])]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


class Columns:
    """Maps offsets in one line of a block's text to columns of its source line.

    A block's line is its source line minus a prefix (list and quote markers,
    indentation) with some characters blanked; the prefix is found once, on the
    first call (most lines with a `[` or `#` hold no link or tag). Table rows are
    rebuilt from their cells, so there the next occurrence of the item's raw text
    in the source line (code spans blanked) is used instead.
    """

    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text
        self.shift: int | None = None
        self.searchable: str | None = None
        self.cursor = 0

    def column(self, offset: int, raw: str) -> int:
        """The 1-based source column of `raw`, found at `offset` in the block line."""
        if self.searchable is None:
            self.shift = _shift(self.source, self.text)
            self.searchable = plain(self.source)
        at = None if self.shift is None else self.shift + offset
        if at is None or not self.searchable.startswith(raw, at):
            found = self.searchable.find(raw, self.cursor)
            at = found if found >= 0 else offset
        self.cursor = at + len(raw)
        return at + 1


_PREFIX = re.compile(r"^(?:[ \t]*(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)))*[ \t]*(?:#{1,6}[ \t]+)?")
_NON_BLANK = re.compile(r"[^ ]+")


def _shift(source: str, text: str) -> int | None:
    """Where `text` starts in `source`; blanks in `text` match any character.

    Only starts within the line's prefix of quote and list markers,
    indentation and heading hashes are tried, so long lines stay linear.
    A start is tried as a plain substring first (nothing blanked: the usual
    case), then piece by piece between the blanks."""
    body = text.rstrip()
    if len(body) > len(source):
        return None
    last = min(_PREFIX.match(source).end(), len(source) - len(body))  # type: ignore[union-attr]
    pieces: list[tuple[int, str]] | None = None
    first = _NON_BLANK.search(body)  # every start must match this piece: tried alone first
    for start in range(last + 1):
        if source.startswith(body, start):
            return start
        if first is not None and not source.startswith(first.group(), start + first.start()):
            continue
        if pieces is None:
            pieces = [(m.start(), m.group()) for m in _NON_BLANK.finditer(body)]
        if all(source.startswith(piece, start + at) for at, piece in pieces):
            return start
    return None


def text_lines(blocks: Iterable[Block], lines: list[str]) -> Iterator[tuple[int, str, str]]:
    """(line number, plain text, source line) of every line of every text block."""
    for block in blocks:
        if block.kind not in _TEXT_KINDS:
            continue
        for index, text in enumerate(plain(block.text).split("\n")):
            number = block.line + index + (1 if block.kind == "table" and index > 0 else 0)
            source = lines[number - 1] if 0 < number <= len(lines) else text
            yield number, text, source


def links_and_tags(blocks: Iterable[Block], lines: list[str]) -> tuple[list[Link], list[Tag]]:
    """`links` and `tags` of the same blocks, their text lines walked once."""
    found_links: list[Link] = []
    found_tags: list[Tag] = []
    marked = [b for b in blocks if "[" in b.text or "#" in b.text]  # blanking adds neither
    for number, text, source in text_lines(marked, lines):
        if "[" in text:
            found_links += _line_links(number, text, source)
        if "#" in text:
            found_tags += _line_tags(number, text, source)
    return found_links, found_tags


def links(blocks: Iterable[Block], lines: list[str]) -> Iterator[Link]:
    """Every wikilink, embed and internal Markdown link in the visible text."""
    for number, text, source in text_lines(blocks, lines):
        if "[" in text:
            yield from _line_links(number, text, source)


def _line_links(number: int, text: str, source: str) -> Iterator[Link]:
    """The links of one line holding a `[`; `[[a]](b)` is a wikilink, not [text](b)."""
    if "[[" in text:
        yield from _wikilinks(text, number, Columns(source, text))
    if "](" in text:  # what every Markdown link holds (blanking wikilinks cannot make one)
        unlinked = obsidian.WIKILINK_RE.sub(blank, text) if "[[" in text else text
        yield from _markdown_links(text, unlinked, number, Columns(source, text))


def _wikilinks(text: str, number: int, columns: Columns) -> Iterator[Link]:
    for offset, inner, embed in obsidian.find_wikilinks(text):
        path, subpath, alias = obsidian.parse_linktext(inner)
        raw = ("!" if embed else "") + "[[" + inner + "]]"
        yield Link(path, subpath, alias, embed, number, columns.column(offset, raw))


def _markdown_links(text: str, unlinked: str, number: int, columns: Columns) -> Iterator[Link]:
    """Markdown links found in `unlinked` (wikilinks blanked), placed by `text`."""
    for match in MD_LINK.finditer(unlinked):
        target = md_target(match.group(3))
        if target is not None:
            path, subpath = target
            raw = text[match.start():match.end()]
            display = text[match.start(2):match.end(2)].strip()
            yield Link(path, subpath, display or None, bool(match.group(1)), number,
                       columns.column(match.start(), raw), markdown=True)


def md_target(destination: str) -> tuple[str, str | None] | None:
    """(path, subpath) of an internal Markdown link destination, None for a URL or nothing.

    Percent-encoding is decoded (`My%20Note.md#Some%20Heading`); `<...>` is
    unwrapped; a bare `#` or an empty destination is not a link to anything."""
    if obsidian.is_external(destination):
        return None
    path, fragment = obsidian.decode_md_destination(destination)
    if not path and not fragment:
        return None
    return path, ("#" + fragment if fragment else None)


def tags(blocks: Iterable[Block], lines: list[str]) -> Iterator[Tag]:
    """Every inline `#tag` in the visible text (not inside links, code or comments)."""
    for number, text, source in text_lines(blocks, lines):
        if "#" in text:
            yield from _line_tags(number, text, source)


def _line_tags(number: int, text: str, source: str) -> Iterator[Tag]:
    """The tags of one line holding a `#`; text inside links is blanked first."""
    bare = obsidian.WIKILINK_RE.sub(blank, text) if "[[" in text else text
    bare = MD_LINK.sub(blank, bare) if "](" in bare else bare
    columns = Columns(source, text)
    for offset, name in obsidian.find_tags(bare):
        yield Tag(name, number, columns.column(offset, "#" + name))


def block_ids(blocks: Iterable[Block]) -> Iterator[str]:
    """Block ids (` ^id` ending a paragraph or list item, or a line of its own)."""
    for block in blocks:
        if block.kind == "paragraph" and "^" in block.text:
            match = _BLOCK_ID.search(plain(block.text).rsplit("\n", 1)[-1])
            if match:
                yield match.group(1)
