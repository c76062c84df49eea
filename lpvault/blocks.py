"""mistune 3 behind one door: Markdown body -> leaf blocks with exact source lines.

mistune tokens carry no line numbers. We run only its block pass (the inline
text of each block stays raw, which is what labels and links are read from),
flatten the token tree in document order, then map every leaf back to the
source: a leaf's first line is the next source line whose content, with list
and quote markers removed, equals the leaf's first line. Leaves come in
document order and each one consumes its own lines, so repeated lines such as
`- u` still land on the right line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import mistune

from lpvault.model import Block

_MARKDOWN = mistune.create_markdown(renderer=None, plugins=["table"])
_CONTAINER = re.compile(r"^(?:[ \t]*(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)))+")
_BREAK = re.compile(r"^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})")
_ATX = re.compile(r"^[ \t]*#{1,6}(?:[ \t]+|$)")


class NestingTooDeep(Exception):
    """mistune recursed past Python's limit on a pathologically nested note."""


@dataclass
class _Leaf:
    kind: str
    text: str
    depth: int
    item: bool
    quoted: bool
    level: int = 0
    rows: int = 0  # tables: number of body rows
    setext: bool = False


def parse_blocks(body: str, *, line_offset: int = 0) -> list[Block]:
    """Parse a Markdown body into leaf blocks; `line_offset` is added to every line."""
    state = _MARKDOWN.block.state_cls()
    state.process(body if body.endswith("\n") else body + "\n")
    try:
        _MARKDOWN.block.parse(state)
    except RecursionError as error:
        raise NestingTooDeep(str(error)) from None
    leaves = list(_flatten(state.tokens, depth=0, quoted=False))
    return list(_place(leaves, body.split("\n"), line_offset))


def _flatten(tokens: list[dict[str, Any]], *, depth: int, quoted: bool) -> Iterator[_Leaf]:
    for token in tokens:
        kind = token["type"]
        if kind == "list":
            for item in token["children"]:
                yield from _flatten_item(item["children"], depth=depth + 1, quoted=quoted)
        elif kind == "block_quote":
            yield from _flatten(token["children"], depth=depth, quoted=True)
        elif kind != "blank_line":
            leaf = _leaf(token, depth=depth, quoted=quoted)
            if leaf is not None:
                yield leaf


def _flatten_item(children: list[dict[str, Any]], *, depth: int, quoted: bool) -> Iterator[_Leaf]:
    first = True
    for leaf in _flatten(children, depth=depth, quoted=quoted):
        if first and leaf.depth == depth:
            leaf.item = True  # nested items were already marked by the inner call
        first = False
        yield leaf


def _leaf(token: dict[str, Any], *, depth: int, quoted: bool) -> _Leaf | None:
    kind = token["type"]
    if kind in ("paragraph", "block_text"):
        return _Leaf("paragraph", token["text"].rstrip("\n"), depth, False, quoted)
    if kind == "heading":
        setext = token.get("style") == "setext"
        return _Leaf("heading", token["text"].strip(), depth, False, quoted, token["attrs"]["level"], setext=setext)
    if kind == "thematic_break":
        return _Leaf("break", "", depth, False, quoted)
    if kind == "block_code":
        fenced = token.get("style") == "fenced"
        return _Leaf("code" if fenced else "indented", token["raw"].rstrip("\n"), depth, False, quoted)
    if kind == "block_html":
        return _Leaf("html", token["raw"].rstrip("\n"), depth, False, quoted)
    if kind == "table":
        return _table_leaf(token, depth=depth, quoted=quoted)
    return None


def _table_leaf(token: dict[str, Any], *, depth: int, quoted: bool) -> _Leaf:
    rows = [_row_text(token["children"][0]["children"])]
    body = token["children"][1]["children"] if len(token["children"]) > 1 else []
    rows += [_row_text(row["children"]) for row in body]
    return _Leaf("table", "\n".join(rows), depth, False, quoted, rows=len(body))


def _row_text(cells: list[dict[str, Any]]) -> str:
    return " | ".join(cell["text"] for cell in cells)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _content(line: str) -> str:
    """A source line without its list and quote markers."""
    return _squash(_CONTAINER.sub("", line, count=1))


def _place(leaves: list[_Leaf], lines: list[str], offset: int) -> Iterator[Block]:
    cursor = 0
    for leaf in leaves:
        found = _find(leaf, lines, cursor)
        start = found if found is not None else min(cursor, max(len(lines) - 1, 0))
        span = _span(leaf, lines, start)
        cursor = start + span if found is not None else cursor
        yield Block(
            kind="code" if leaf.kind == "indented" else leaf.kind,
            line=start + 1 + offset,
            end_line=start + span + offset,
            text=leaf.text,
            level=leaf.level,
            depth=leaf.depth,
            item=leaf.item,
            quoted=leaf.quoted,
        )


def _find(leaf: _Leaf, lines: list[str], cursor: int) -> int | None:
    """Index of the source line where `leaf` starts, searching from `cursor`."""
    match = _matcher(leaf)
    for index in range(cursor, len(lines)):
        if match(lines[index]):
            return index
    return None


def _matcher(leaf: _Leaf) -> Any:
    if leaf.kind == "break":
        return lambda line: bool(_BREAK.match(re.sub(r"^(?:[ \t]*>)+", "", line)))
    if leaf.kind == "code":
        return lambda line: bool(_FENCE.match(re.sub(r"^(?:[ \t]*>)+", "", _CONTAINER_ONLY_LIST(line))))
    if leaf.kind == "heading" and not leaf.setext:
        wanted = _squash(leaf.text)
        return lambda line: _is_atx(line, wanted)
    first = _squash(leaf.text.split("\n", 1)[0])
    if leaf.kind == "table":
        first = _squash(leaf.text.split("\n", 1)[0].split(" | ", 1)[0])
        return lambda line: "|" in line and first in _squash(line)
    return lambda line: _content(line) == first or _squash(line) == first


def _CONTAINER_ONLY_LIST(line: str) -> str:
    return re.sub(r"^(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)+", "", line)


def _is_atx(line: str, wanted: str) -> bool:
    content = _CONTAINER.sub("", line, count=1) if not _ATX.match(line) else line
    if not _ATX.match(content):
        return False
    text = _squash(re.sub(r"(?:[ \t]+#+)?[ \t]*$", "", _ATX.sub("", content, count=1)))
    return text == wanted or (not wanted and not text.strip("#"))


def _span(leaf: _Leaf, lines: list[str], start: int) -> int:
    """How many source lines the leaf occupies from `start`."""
    if leaf.kind in ("paragraph", "html", "indented"):
        return leaf.text.count("\n") + 1
    if leaf.kind == "heading":
        return leaf.text.count("\n") + 2 if leaf.setext else 1
    if leaf.kind == "code":
        return _fenced_span(leaf, lines, start)
    if leaf.kind == "table":
        return leaf.rows + 2
    return 1


def _fenced_span(leaf: _Leaf, lines: list[str], start: int) -> int:
    inner = leaf.text.count("\n") + 1 if leaf.text else 0
    closing = start + inner + 1
    closed = closing < len(lines) and _FENCE.match(re.sub(r"^(?:[ \t]*>)+", "", lines[closing]))
    return inner + 2 if closed else inner + 1
