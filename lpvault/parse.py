"""Bytes of one note -> Note: decoding, front matter, blocks, comments, links, tags.

Nothing inside code, HTML comments or `%%` comments counts as a link, tag,
heading or story; directives (`lpvault-disable ...`) are read from comments.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Iterator

from lpvault import obsidian
from lpvault.blocks import NestingTooDeep, parse_blocks
from lpvault.frontmatter import split_front_matter
from lpvault.model import Block, Directive, Heading, Link, Note, Problem, Tag

_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+\"[^\"\n]*\")?\s*\)")
_DIRECTIVE = re.compile(r"lpvault-(disable-next-line|disable|enable)\b([^>%\n]*)")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
_TEXT_KINDS = ("paragraph", "heading", "table")


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text with BOM dropped and line endings normalised, or why it is unreadable."""
    if b"\x00" in data[:8192]:
        return None, Problem("unreadable-file", 1, 1, "binary file (NUL bytes), not a Markdown note")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"not UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}"
        return None, Problem("unreadable-file", line, column, message)
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_note(path: str, data: bytes) -> Note:
    """Parse a note's bytes; problems are recorded on the Note, never raised."""
    text, problem = decode(data)
    if text is None:
        return Note(path=path, title=_stem(path), problems=(problem,) if problem else ())
    return parse_text(path, text)


def parse_text(path: str, text: str) -> Note:
    """Parse a note's decoded text."""
    front = split_front_matter(text)
    lines = text.split("\n")
    body = "\n".join(lines[front.line_count:])
    problems = list(front.problems)
    try:
        blocks = parse_blocks(body, line_offset=front.line_count)
    except NestingTooDeep:
        blocks = []
        problems.append(Problem("unreadable-file", 1, 1, "nesting too deep to parse (lists or quotes nested thousands deep)"))
    blocks, directives = _hide_comments(blocks)
    fm = front.data
    fm_tags, comma_form = _front_matter_tags(fm)
    if comma_form:
        problems.append(Problem("front-matter-tags", 2, 1, "tags written as one string: write them as a YAML list"))
    visible = [b for b in blocks if not b.commented]
    return Note(
        path=path,
        title=_stem(path),
        front_matter=fm,
        front_matter_end=front.line_count,
        aliases=_aliases(fm),
        tags=tuple(fm_tags) + tuple(_inline_tags(visible, lines)),
        headings=tuple(_headings(visible)),
        links=tuple(_links(visible, lines)),
        block_ids=tuple(_block_ids(visible)),
        blocks=tuple(blocks),
        problems=tuple(problems),
        directives=tuple(directives),
        line_count=len(lines),
    )


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


# -- %% comments and directives ------------------------------------------------


def _hide_comments(blocks: list[Block]) -> tuple[list[Block], list[Directive]]:
    """Blank out `%%` comment text (offsets kept) and collect directives."""
    out: list[Block] = []
    directives: list[Directive] = []
    inside = False
    for block in blocks:
        if block.kind in ("code",):
            out.append(replace(block, commented=inside))
            continue
        if block.kind == "html":
            directives += _directives(block.text, block.line)
            out.append(replace(block, commented=inside))
            continue
        text, inside, found = _strip_percent_comments(block.text, block.line, inside)
        directives += found + _directives(_HTML_COMMENT_ONLY(text), block.line)
        hidden = not text.strip() and bool(block.text.strip())
        out.append(replace(block, text=text, commented=hidden))
    return out, directives


def _HTML_COMMENT_ONLY(text: str) -> str:
    return "\n".join(m.group(0) for m in _HTML_COMMENT.finditer(text))


def _strip_percent_comments(text: str, line: int, inside: bool) -> tuple[str, bool, list[Directive]]:
    if "%%" not in text and not inside:
        return text, inside, []
    pieces = text.split("%%")
    kept: list[str] = []
    directives: list[Directive] = []
    offset_line = line
    for index, piece in enumerate(pieces):
        in_comment = inside if index == 0 else (not inside if index % 2 else inside)
        if in_comment:
            directives += _directives(piece, offset_line)
            kept.append(re.sub(r"[^\n]", " ", piece))
        else:
            kept.append(piece)
        offset_line += piece.count("\n")
    if len(pieces) % 2 == 0:
        inside = not inside
    return "  ".join(kept), inside, directives


def _directives(text: str, line: int) -> list[Directive]:
    found = []
    for match in _DIRECTIVE.finditer(text):
        codes = tuple(c for c in re.split(r"[\s,]+", match.group(2).strip()) if c and c != "-->")
        found.append(Directive(match.group(1), codes, line + text.count("\n", 0, match.start())))
    return found


# -- front matter values -------------------------------------------------------


def _aliases(fm: Any) -> tuple[str, ...]:
    if not isinstance(fm, dict):
        return ()
    value = fm.get("aliases", fm.get("alias"))
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip())
    return ()


def _front_matter_tags(fm: Any) -> tuple[list[Tag], bool]:
    if not isinstance(fm, dict):
        return [], False
    key = next((k for k in fm if isinstance(k, str) and k.lower() in ("tags", "tag")), None)
    if key is None:
        return [], False
    names, comma_form = obsidian.front_matter_tags(fm[key])
    return [Tag(name, 2) for name in names], comma_form


# -- headings, block ids --------------------------------------------------------


def _headings(blocks: Iterable[Block]) -> Iterator[Heading]:
    for block in blocks:
        if block.kind == "heading":
            text = " ".join(block.text.split())
            targetable = not block.quoted and block.depth == 0
            yield Heading(block.level, text, block.line, targetable)


def _block_ids(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if block.kind in ("paragraph", "table"):
            match = _BLOCK_ID.search(block.text.rsplit("\n", 1)[-1])
            if match:
                yield match.group(1)


# -- links and tags -------------------------------------------------------------


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _plain(text: str) -> str:
    """Token text with code spans and inline HTML comments blanked, offsets kept."""
    if "`" in text:
        text = _CODE_SPAN.sub(_blank, text)
    if "<!--" in text:
        text = _HTML_COMMENT.sub(_blank, text)
    return text


def _text_lines(blocks: Iterable[Block]) -> Iterator[tuple[int, str]]:
    """(source line, plain text) of every line of every text block."""
    for block in blocks:
        if block.kind not in _TEXT_KINDS:
            continue
        plain = _plain(block.text)
        for index, text in enumerate(plain.split("\n")):
            yield _line_of(block, index), text


def _line_of(block: Block, index: int) -> int:
    if block.kind == "table" and index > 0:
        return block.line + index + 1  # the delimiter row has no text line
    return block.line + index


def _links(blocks: Iterable[Block], lines: list[str]) -> Iterator[Link]:
    for line_no, text in _text_lines(blocks):
        if "[" not in text:
            continue
        source = lines[line_no - 1] if line_no - 1 < len(lines) else text
        yield from _wikilinks(text, source, line_no)
        yield from _markdown_links(text, source, line_no)


def _column(source: str, raw: str, fallback: int) -> int:
    found = source.find(raw)
    return (found if found >= 0 else fallback) + 1


def _wikilinks(text: str, source: str, line_no: int) -> Iterator[Link]:
    for offset, inner, embed in obsidian.find_wikilinks(text):
        path, subpath, alias = obsidian.parse_linktext(inner)
        raw = ("!" if embed else "") + "[[" + inner
        yield Link(path, subpath, alias, embed, line_no, _column(source, raw, offset))


def _markdown_links(text: str, source: str, line_no: int) -> Iterator[Link]:
    for match in _MD_LINK.finditer(text):
        destination = match.group(3).strip("<>")
        if obsidian.is_external(destination) or destination.startswith("#") and len(destination) == 1:
            continue
        path, fragment = obsidian.decode_md_destination(destination)
        subpath = "#" + fragment if fragment else None
        yield Link(path, subpath, match.group(2) or None, bool(match.group(1)), line_no,
                   _column(source, match.group(0), match.start()), markdown=True)


def _inline_tags(blocks: Iterable[Block], lines: list[str]) -> Iterator[Tag]:
    for line_no, text in _text_lines(blocks):
        if "#" not in text:
            continue
        text = obsidian.WIKILINK_RE.sub(_blank, text)
        text = _MD_LINK.sub(_blank, text)
        source = lines[line_no - 1] if line_no - 1 < len(lines) else text
        for offset, name in obsidian.find_tags(text):
            yield Tag(name, line_no, _column(source, "#" + name, offset))
