"""Bytes of one note -> Note: decoding, front matter, blocks, comments, links, tags.

Nothing inside code, HTML comments or `%%` comments counts as a link, tag,
heading or story; directives (`lpvault-disable ...`) are read from comments.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterator

from lpvault import inline, obsidian
from lpvault.blocks import MAX_NESTING, NestingTooDeep, parse_body
from lpvault.frontmatter import split_front_matter
from lpvault.model import Block, Directive, Heading, Link, Note, Problem, Tag

_DIRECTIVE = re.compile(r"lpvault-(disable-next-line|disable|enable)\b([^>%\n]*)")


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text with BOM dropped and line endings normalised, or why it is unreadable."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": full of NUL bytes too
        return None, Problem("unreadable-file", 1, 1, "UTF-16 text, not UTF-8: save the note as UTF-8")
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
    blocks = _body_blocks(body, front.line_count, problems)
    blocks, directives, touched = _hide_comments(_close_quotes(blocks, lines))
    fm = front.data
    fm_lines = lines[:front.line_count]
    fm_tags, tag_problems = _front_matter_tags(fm, fm_lines)
    visible = [b for b in blocks if not b.commented]
    body_links, body_tags = inline.links_and_tags(visible, lines)
    return Note(
        path=path,
        title=_stem(path),
        front_matter=fm,
        front_matter_end=front.line_count,
        aliases=_aliases(fm),
        tags=tuple(fm_tags) + tuple(body_tags),
        headings=tuple(_headings(blocks, touched)),
        links=tuple(_front_matter_links(fm, fm_lines)) + tuple(body_links),
        block_ids=tuple(inline.block_ids(visible)),
        blocks=tuple(blocks),
        problems=tuple(problems + tag_problems),
        directives=tuple(directives),
        line_count=len(lines),
    )


def _body_blocks(body: str, offset: int, problems: list[Problem]) -> list[Block]:
    """The body's blocks; pathological nesting is recorded in `problems`, never raised."""
    try:
        parsed = parse_body(body, line_offset=offset)
    except NestingTooDeep:
        problems.append(Problem("unreadable-file", 1, 1, "nesting too deep to parse (lists or quotes nested thousands deep)"))
        return []
    if parsed.too_deep_line is not None:
        problems.append(Problem("unreadable-file", parsed.too_deep_line, 1,
                                f"lists or quotes nested {MAX_NESTING} levels deep: what lies deeper is read as plain text"))
    return parsed.blocks


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


# -- block quotes --------------------------------------------------------------

_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)))+")


def _close_quotes(blocks: list[Block], lines: list[str]) -> list[Block]:
    """Blocks that mistune keeps inside a quote although their first line has no `>`.

    mistune 3.4 reads `> quote` followed by `# Heading` (no blank line) as one
    quote holding the heading and everything up to the next blank line.
    CommonMark only continues a quote lazily with paragraph text, which never
    starts a block, so a block whose first line has no `>` is outside it."""
    fixed = []
    for block in blocks:
        if block.quoted and 0 < block.line <= len(lines):
            prefix = _CONTAINER_PREFIX.match(lines[block.line - 1])
            if prefix is None or ">" not in prefix.group(0):
                block = replace(block, quoted=False)
        fixed.append(block)
    return fixed


# -- %% comments and directives ------------------------------------------------


def _hide_comments(blocks: list[Block]) -> tuple[list[Block], list[Directive], frozenset[int]]:
    """Blank out `%%` comment text (offsets kept) and collect directives.

    Returns the blocks, the directives, and the indexes of blocks that are only
    partly commented (a heading with a `%%` comment in it cannot be linked to
    reliably: whether Obsidian keeps the comment in the heading text is unknown).
    A block that no comment touches is kept as it is (most are).
    """
    out: list[Block] = []
    directives: list[Directive] = []
    touched: set[int] = set()
    inside = False
    for block in blocks:
        if block.kind in ("code", "html"):
            if block.kind == "html" and not inside:
                directives += _directives(block.text, block.line)
            out.append(block if block.commented == inside else replace(block, commented=inside))
            continue
        if not inside and not block.commented and "%%" not in block.text and "<!--" not in block.text:
            out.append(block)  # no comment to hide, no directive to read: most blocks
            continue
        text, inside, found = _strip_percent_comments(block.text, block.line, inside)
        directives += found + _directives(_html_comments_only(text), block.line)
        hidden = not text.strip() and bool(block.text.strip())
        if text != block.text and not hidden:
            touched.add(len(out))
        same = text == block.text and hidden == block.commented
        out.append(block if same else replace(block, text=text, commented=hidden))
    return out, directives, frozenset(touched)


def _html_comments_only(text: str) -> str:
    """The inline HTML comments of `text`, one per line: where directives live."""
    if "<!--" not in text:
        return ""
    return "\n".join(text[start:end] for start, end in inline.html_comment_spans(text))


def _percent_marks(text: str) -> list[int]:
    """Offsets of the `%%` delimiters of `text` that are not inside a code span."""
    spans = inline.code_spans(text) if "`" in text else []
    marks: list[int] = []
    index = 0  # spans are in order and `at` only moves forward: never rescan them
    at = text.find("%%")
    while at >= 0:
        while index < len(spans) and spans[index][1] <= at:
            index += 1
        if index < len(spans) and spans[index][0] <= at:
            at = text.find("%%", spans[index][1])
            continue
        marks.append(at)
        at = text.find("%%", at + 2)
    return marks


def _strip_percent_comments(text: str, line: int, inside: bool) -> tuple[str, bool, list[Directive]]:
    """`text` with `%%...%%` comments blanked; `inside`: a comment is open at its start.

    The first `%%` after an opening one closes it (no nesting); an unclosed
    comment runs on into the next blocks. Directives inside comments are kept."""
    if not inside and "%%" not in text:
        return text, inside, []
    marks = _percent_marks(text)
    if not marks and not inside:
        return text, inside, []
    chars = list(text)
    directives: list[Directive] = []
    opened: list[int] = [0] if inside else []
    line_of = _LineOf(text, line)
    for mark in marks:
        if not opened:
            opened.append(mark)
            continue
        start = opened.pop()
        _blank_comment(text, chars, directives, start, mark + 2, line_of(start))
    if opened:  # still open at the end of the block
        _blank_comment(text, chars, directives, opened[0], len(text), line_of(opened[0]))
    return "".join(chars), bool(opened), directives


class _LineOf:
    """Line number of an offset in `text`, counted on from the previous offset
    (comments come in order), so thousands of `%%` pairs stay linear."""

    def __init__(self, text: str, line: int) -> None:
        self.text, self.first = text, line
        self.offset, self.line = 0, line

    def __call__(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, self.first
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _blank_comment(text: str, chars: list[str], directives: list[Directive], start: int, end: int,
                   line: int) -> None:
    """Blank `text[start:end]` in `chars` and collect the directives written in it
    (`line`: the line `start` is on)."""
    directives += _directives(text[start:end], line)
    chars[start:end] = [c if c == "\n" else " " for c in text[start:end]]


def _directives(text: str, line: int) -> list[Directive]:
    if "lpvault-" not in text:
        return []
    found = []
    for match in _DIRECTIVE.finditer(text):
        codes = tuple(c for c in re.split(r"[\s,]+", match.group(2).strip()) if c.strip("-"))  # "-->" leaves "--"
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


def _key_line(fm_lines: list[str], key: str) -> int:
    """The line of `key:` in the front matter block (2 if it cannot be found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]")
    return next((i + 1 for i, text in enumerate(fm_lines) if i and pattern.match(text)), 2)


def _front_matter_tags(fm: Any, fm_lines: list[str]) -> tuple[list[Tag], list[Problem]]:
    """The `tags` property as Tags (at the key's line), and warnings about its form."""
    if not isinstance(fm, dict):
        return [], []
    key = next((k for k in fm if isinstance(k, str) and k.lower() == "tags"), None)
    key = key or next((k for k in fm if isinstance(k, str) and k.lower() == "tag"), None)
    if key is None:
        return [], []
    line = _key_line(fm_lines, key)
    names, comma_form = obsidian.front_matter_tags(fm[key])
    problems = []
    if comma_form:
        problems.append(Problem("front-matter-tags", line, 1, "tags written as one string: write them as a YAML list"))
    if key.lower() == "tag":
        problems.append(Problem("front-matter-tags", line, 1,
                                f"'{key}:' is no longer read by Obsidian (1.9 and later): rename it to 'tags:'"))
    return [Tag(name, line) for name in names], problems


def _front_matter_links(fm: Any, fm_lines: list[str]) -> Iterator[Link]:
    """Property values that are one quoted wikilink (`up: "[[Hub]]"`): Obsidian indexes them."""
    if not isinstance(fm, dict):
        return
    for value in fm.values():
        for item in value if isinstance(value, list) else [value]:
            match = obsidian.WIKILINK_RE.fullmatch(item.strip()) if isinstance(item, str) else None
            if match:
                path, subpath, alias = obsidian.parse_linktext(match.group(1))
                line, column = _place_in(fm_lines, match.group(0))
                yield Link(path, subpath, alias, match.group(0).startswith("!"), line, column)


def _place_in(fm_lines: list[str], raw: str) -> tuple[int, int]:
    """(line, column) of `raw` in the front matter block (its first line if not found)."""
    for index, text in enumerate(fm_lines):
        column = text.find(raw)
        if index and column >= 0:
            return index + 1, column + 1
    return 1, 1


# -- headings -------------------------------------------------------------------


def _headings(blocks: list[Block], touched: frozenset[int]) -> Iterator[Heading]:
    """Visible headings; those in quotes, callouts, lists or holding a comment cannot be targeted."""
    for index, block in enumerate(blocks):
        if block.kind == "heading" and not block.commented:
            text = " ".join(block.text.split())
            targetable = not block.quoted and block.depth == 0 and index not in touched and "<!--" not in text
            yield Heading(block.level, text, block.line, targetable)
