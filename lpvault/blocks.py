"""mistune 3 behind one door: Markdown body -> leaf blocks with exact source lines.

mistune tokens carry no line numbers. We run only its block pass (the inline
text of each block stays raw, which is what labels and links are read from),
flatten the token tree in document order, then map every leaf back to the
source: a leaf's first line is the next source line whose content, with list
and quote markers removed, equals the leaf's first line. Leaves come in
document order and each one consumes its own lines, so repeated lines such as
`- u` still land on the right line. A leaf that is not found near the cursor
is looked up in an index of the lines (built only then), so a pathological
note costs O(n log n), never a scan to the end per leaf.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Iterator

import mistune

from lpvault.model import Block

_MARKDOWN = mistune.create_markdown(renderer=None, plugins=["table"])


def _linear_atx_trim() -> None:
    """mistune strips a heading's closing `#`s with `(\\s+|^)#+\\s*$`, which
    backtracks quadratically over a long run of blanks inside the heading (a
    heading of 20,000 spaces takes seconds). The same expression, made to start
    only at the first blank of a run and never give blanks back, finds the same
    matches in linear time."""
    from mistune import block_parser

    if getattr(block_parser, "_ATX_HEADING_TRIM", None) is not None \
            and block_parser._ATX_HEADING_TRIM.pattern == r"(\s+|^)#+\s*$":
        block_parser._ATX_HEADING_TRIM = re.compile(r"(?<!\s)(\s++|^)#+\s*$")


_linear_atx_trim()


def _remember_list_breaks() -> None:
    """mistune 3.4 builds and compiles its list-break expression again for every list
    item (about a tenth of its time on a note made of lists). The expression depends
    only on the parser's rules and the item's indent, so it is kept in the parser's own
    cache of compiled expressions, which `register` (a new rule) empties."""
    from mistune import list_parser

    build = getattr(list_parser, "_compile_list_break_sc", None)
    if build is None or hasattr(build, "original"):
        return

    def remembered(block: Any, leading_width: int) -> Any:
        cache = getattr(block, "_Parser__sc", None)
        if not isinstance(cache, dict):
            return build(block, leading_width)
        key = f"lpvault list break {leading_width}"  # mistune's keys are rule names joined by |
        if key not in cache:
            cache[key] = build(block, leading_width)
        return cache[key]

    remembered.original = build  # type: ignore[attr-defined]
    list_parser._compile_list_break_sc = remembered


_remember_list_breaks()


class _LineStartSearch:
    """A block parser's expression whose every rule starts with `^` (MULTILINE), so
    that it can only match at a line start: `search` tries line starts only, where
    the expression's own `search` tries every character (a tenth of mistune's time,
    looking for the end of a paragraph that starts with punctuation). It finds the
    same match: the first line start, from `pos` on, where `match` matches."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.match = pattern.match  # the bound method itself: no wrapper on the hot path

    def search(self, string: str, pos: int = 0, *endpos: int) -> re.Match[str] | None:
        if endpos or not 0 <= pos <= len(string):
            return self.pattern.search(string, pos, *endpos)
        if pos == 0 or string[pos - 1] == "\n":
            found = self.match(string, pos)
            if found:
                return found
        while True:
            pos = string.find("\n", pos) + 1
            if pos == 0:
                return None
            found = self.match(string, pos)
            if found:
                return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


def _search_line_starts(block: Any) -> None:
    """Make `block.compile_sc` hand out a _LineStartSearch for every expression that
    can only match at a line start (all of mistune's block rules start with `^`)."""
    compile_sc = block.compile_sc
    kept: dict[int, tuple[re.Pattern[str], Any]] = {}

    def line_start_sc(rules: list[str] | None = None) -> Any:
        pattern = compile_sc(rules)
        found = kept.get(id(pattern))
        if found is None or found[0] is not pattern:
            faster = _LineStartSearch(pattern) if _starts_at_line_starts(pattern) else pattern
            found = kept[id(pattern)] = (pattern, faster)
        return found[1]

    block.compile_sc = line_start_sc


def _starts_at_line_starts(pattern: re.Pattern[str]) -> bool:
    """True when every match of `pattern` starts at a line start: read from its
    syntax tree (Python's own parser of expressions), False when in any doubt."""
    try:
        from re import _constants as sre, _parser as parser  # type: ignore[attr-defined]

        tree = parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - another Python: keep mistune's own search
        return False
    return bool(pattern.flags & re.M) and _anchored(list(tree), sre)


def _anchored(items: list[Any], sre: Any) -> bool:
    """The first element of `items` asserts a line start (`^`), also when it is a
    group, a repeat of at least once, or a branch whose every alternative does."""
    if not items:
        return False
    op, av = items[0]
    if op is sre.AT:
        return av in (sre.AT_BEGINNING, sre.AT_BEGINNING_LINE, sre.AT_BEGINNING_STRING)
    if op is sre.SUBPATTERN:
        return _anchored(list(av[-1]), sre)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        return av[0] >= 1 and _anchored(list(av[2]), sre)
    if op is sre.BRANCH:
        return all(_anchored(list(branch), sre) for branch in av[1])
    return False
_CONTAINER = re.compile(r"^(?:[ \t]*(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)))+")
_BREAK = re.compile(r"^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})")
_ATX = re.compile(r"^[ \t]*#{1,6}(?:[ \t]+|$)")
# Lines searched one by one from the cursor before the line index is consulted.
_WINDOW = 64
# Table headers are matched by substring, which no index answers: a bounded scan.
_TABLE_SCAN = 4096
# mistune (>= 3.4) stops descending at this many nested lists and quotes and reads
# the rest as text; only a pathological note gets there.
MAX_NESTING = _MARKDOWN.block.max_nested_level
_search_line_starts(_MARKDOWN.block)


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
    nest: int = 0  # lists and quotes around the leaf


@dataclass(frozen=True)
class Body:
    """The leaf blocks of a body, and the line of the first one nested so deep
    that mistune read what is below it as plain text (None: no such leaf)."""

    blocks: list[Block]
    too_deep_line: int | None = None


def parse_blocks(body: str, *, line_offset: int = 0) -> list[Block]:
    """Parse a Markdown body into leaf blocks; `line_offset` is added to every line."""
    return parse_body(body, line_offset=line_offset).blocks


def parse_body(body: str, *, line_offset: int = 0) -> Body:
    """Like `parse_blocks`, and say where nesting went past what mistune parses."""
    state = _MARKDOWN.block.state_cls()
    state.process(body if body.endswith("\n") else body + "\n")
    try:
        _MARKDOWN.block.parse(state)
    except RecursionError as error:
        raise NestingTooDeep(str(error)) from None
    leaves = _flatten(state.tokens, depth=0, quoted=False, nest=0)
    blocks = list(_place(leaves, body.split("\n"), line_offset))
    deep = next((b.line for leaf, b in zip(leaves, blocks) if leaf.nest >= MAX_NESTING), None)
    return Body(blocks, deep)


def _flatten(tokens: list[dict[str, Any]], *, depth: int, quoted: bool, nest: int,
             out: list[_Leaf] | None = None) -> list[_Leaf]:
    """The leaves of `tokens` in document order, appended to `out`."""
    out = [] if out is None else out
    for token in tokens:
        kind = token["type"]
        if kind == "list":
            for item in token["children"]:
                first = len(out)
                _flatten(item["children"], depth=depth + 1, quoted=quoted, nest=nest + 1, out=out)
                if first < len(out) and out[first].depth == depth + 1:
                    out[first].item = True  # nested items were already marked by the inner call
        elif kind == "block_quote":
            _flatten(token["children"], depth=depth, quoted=True, nest=nest + 1, out=out)
        elif kind != "blank_line":
            leaf = _leaf(token, depth=depth, quoted=quoted)
            if leaf is not None:
                leaf.nest = nest
                out.append(leaf)
    return out


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
    index = _LineIndex(lines)
    for leaf in leaves:
        found = _find(leaf, lines, cursor, index)
        start = found if found is not None else min(cursor, max(len(lines) - 1, 0))
        span = _span(leaf, lines, start)
        cursor = start + span if found is not None else cursor
        yield _block(
            kind="code" if leaf.kind == "indented" else leaf.kind,
            line=start + 1 + offset,
            end_line=start + span + offset,
            text=leaf.text,
            level=leaf.level,
            depth=leaf.depth,
            item=leaf.item,
            quoted=leaf.quoted,
        )


_NEW = object.__new__
_SET_BLOCK = tuple(getattr(Block, name).__set__ for name in Block.__slots__)  # each slot's own setter


def _block(kind: str, line: int, end_line: int, text: str, level: int, depth: int, item: bool, quoted: bool) -> Block:
    """`Block(...)`, made without the frozen dataclass's `__init__`, which sets each
    field through `object.__setattr__` (a few percent of parsing: a note has dozens
    of blocks); the slots' setters are called directly instead. Block has no
    `__post_init__`; tests/test_fast_paths.py checks that this sets every field of
    Block and gives an equal block."""
    block = _NEW(Block)
    set_kind, set_line, set_end, set_text, set_level, set_depth, set_item, set_quoted, set_commented = _SET_BLOCK
    set_kind(block, kind)
    set_line(block, line)
    set_end(block, end_line)
    set_text(block, text)
    set_level(block, level)
    set_depth(block, depth)
    set_item(block, item)
    set_quoted(block, quoted)
    set_commented(block, False)
    return block


def _find(leaf: _Leaf, lines: list[str], cursor: int, index: _LineIndex) -> int | None:
    """Index of the source line where `leaf` starts, searching from `cursor`:
    the next few lines one by one (the usual case), then the line index."""
    match = _matcher(leaf)
    stop = min(cursor + _WINDOW, len(lines))
    for number in range(cursor, stop):
        if match(lines[number]):
            return number
    if stop == len(lines):
        return None
    key = _leaf_key(leaf)
    if key is None:  # a table: scan the lines holding `|`, boundedly
        return next((n for n in index.after(("|",), stop)[:_TABLE_SCAN] if match(lines[n])), None)
    found = index.after(key, stop)
    return found[0] if found else None


@dataclass
class _LineIndex:
    """Line numbers by the keys a leaf is matched with, built on first use."""

    lines: list[str]
    _keys: dict[tuple[str, ...], list[int]] | None = field(default=None, repr=False)

    def after(self, key: tuple[str, ...], start: int) -> list[int]:
        """Line numbers at or after `start` whose line has `key`, in order."""
        if self._keys is None:
            self._keys = {}
            for number, line in enumerate(self.lines):
                for line_key in set(_line_keys(line)):
                    self._keys.setdefault(line_key, []).append(number)
        numbers = self._keys.get(key, [])
        return numbers[bisect_left(numbers, start):]


def _line_keys(line: str) -> Iterator[tuple[str, ...]]:
    """Every key under which `_matcher` would accept `line` (see `_leaf_key`)."""
    yield ("p", _content(line))
    yield ("p", _squash(line))
    heading = _atx_text(line)
    if heading is not None:
        yield ("h", heading)
        if not heading.strip("#"):
            yield ("h-empty",)
    if _BREAK.match(re.sub(r"^(?:[ \t]*>)+", "", line)):
        yield ("break",)
    if _FENCE.match(re.sub(r"^(?:[ \t]*>)+", "", _CONTAINER_ONLY_LIST(line))):
        yield ("fence",)
    if "|" in line:
        yield ("|",)


def _leaf_key(leaf: _Leaf) -> tuple[str, ...] | None:
    """The key `_line_keys` gives the lines `leaf` matches; None for a table."""
    if leaf.kind == "break":
        return ("break",)
    if leaf.kind == "code":
        return ("fence",)
    if leaf.kind == "heading" and not leaf.setext:
        wanted = _squash(leaf.text)
        return ("h", wanted) if wanted else ("h-empty",)
    if leaf.kind == "table":
        return None
    return ("p", _squash(leaf.text.split("\n", 1)[0]))


def _matcher(leaf: _Leaf) -> Any:
    if leaf.kind == "break":
        return lambda line: bool(_BREAK.match(re.sub(r"^(?:[ \t]*>)+", "", line)))
    if leaf.kind == "code":
        return lambda line: bool(_FENCE.match(re.sub(r"^(?:[ \t]*>)+", "", _CONTAINER_ONLY_LIST(line))))
    if leaf.kind == "heading" and not leaf.setext:
        wanted = _squash(leaf.text)
        return lambda line: _is_atx(line, wanted)
    raw = leaf.text.partition("\n")[0]
    if leaf.kind == "table":
        first = _squash(raw.split(" | ", 1)[0])
        return lambda line: "|" in line and first in _squash(line)
    return lambda line: _is_paragraph_start(line, raw)


def _is_paragraph_start(line: str, raw: str) -> bool:
    """`_content(line) == first or _squash(line) == first`, `first` being `_squash(raw)`,
    with the two usual answers found without building either: a blank line (between
    blocks), and a line made of container markers followed by exactly `raw`."""
    if not line.strip():
        return not raw.strip()
    if line.endswith(raw):
        prefix = _CONTAINER.match(line)
        if (prefix.end() if prefix else 0) == len(line) - len(raw):
            return True
    first = _squash(raw)
    return _content(line) == first or _squash(line) == first


def _CONTAINER_ONLY_LIST(line: str) -> str:
    return re.sub(r"^(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)+", "", line)


def _is_atx(line: str, wanted: str) -> bool:
    if "#" not in line:  # most lines tried (blank ones between blocks) are no heading
        return False
    text = _atx_text(line)
    if text is None:
        return False
    return text == wanted or (not wanted and not text.strip("#"))


def _atx_text(line: str) -> str | None:
    """The text of an ATX heading line (container markers allowed), None if not one."""
    content = _CONTAINER.sub("", line, count=1) if not _ATX.match(line) else line
    if not _ATX.match(content):
        return None
    return _squash(_drop_closing_hashes(_ATX.sub("", content, count=1)))


def _drop_closing_hashes(text: str) -> str:
    """`text` without an ATX closing sequence (` ##`) and trailing blanks; what
    `re.sub(r"(?:[ \t]+#+)?[ \t]*$", "", text)` gives, without its quadratic
    backtracking over long runs of blanks."""
    stripped = text.rstrip(" \t")
    without = stripped.rstrip("#")
    if len(without) < len(stripped) and without[-1:] in (" ", "\t"):
        return without.rstrip(" \t")
    return stripped


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
