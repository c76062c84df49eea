"""The position layer: every heading, paragraph and list item at its exact line."""
from __future__ import annotations

import pytest

from lpvault.blocks import parse_blocks
from lpvault.parse import parse_note

NESTED = """# Title
intro line
  continued

- one
- two
  - nested a
\t- tab nested
    1. deep ordered
- u
- u

> quoted para
> > deeper quote
lazy line

Setext
======
```py
- not a list
```
    indented code
***
| a | b |
|---|---|
| [[x\\|y]] | z |
<!-- html
block -->
after html
"""


def _kinds_and_lines(text: str) -> list[tuple[str, int, str]]:
    return [(b.kind, b.line, b.text.split("\n")[0]) for b in parse_blocks(text)]


def test_every_leaf_at_its_source_line() -> None:
    assert _kinds_and_lines(NESTED) == [
        ("heading", 1, "Title"),
        ("paragraph", 2, "intro line"),
        ("paragraph", 5, "one"),
        ("paragraph", 6, "two"),
        ("paragraph", 7, "nested a"),
        ("paragraph", 8, "tab nested"),
        ("paragraph", 9, "deep ordered"),
        ("paragraph", 10, "u"),
        ("paragraph", 11, "u"),
        ("paragraph", 13, "quoted para"),
        ("paragraph", 14, "deeper quote"),
        ("heading", 17, "Setext"),
        ("code", 19, "- not a list"),
        ("code", 22, "indented code"),
        ("break", 23, ""),
        ("table", 24, "a | b"),
        ("html", 27, "<!-- html"),
        ("paragraph", 29, "after html"),
    ]


def test_list_depth_and_item_flags() -> None:
    blocks = parse_blocks(NESTED)
    depth = {b.text.split("\n")[0]: (b.depth, b.item) for b in blocks if b.kind == "paragraph"}
    assert depth["one"] == (1, True)
    assert depth["nested a"] == (2, True)
    assert depth["deep ordered"] == (3, True)
    assert depth["intro line"] == (0, False)


def test_quoted_blocks_are_marked() -> None:
    quoted = [b.text.split("\n")[0] for b in parse_blocks(NESTED) if b.quoted]
    assert quoted == ["quoted para", "deeper quote"]


def test_multi_line_paragraph_spans_its_lines() -> None:
    block = parse_blocks(NESTED)[1]
    assert (block.line, block.end_line, block.text) == (2, 3, "intro line\n  continued")


def test_line_offset_is_added() -> None:
    assert [b.line for b in parse_blocks("a\n\nb\n", line_offset=4)] == [5, 7]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_keep_lines(newline: str) -> None:
    text = newline.join(["---", "title: x", "---", "## Heading", "", "- item"]) + newline
    note = parse_note("n.md", text.encode())
    assert [(h.text, h.line) for h in note.headings] == [("Heading", 4)]
    assert [b.line for b in note.blocks if b.kind == "paragraph"] == [6]


def test_bom_is_dropped_and_front_matter_read() -> None:
    note = parse_note("n.md", "\ufeff---\ntags: [a]\n---\n# H\n".encode())
    assert note.front_matter == {"tags": ["a"]}
    assert [(h.text, h.line) for h in note.headings] == [("H", 4)]


def test_empty_list_item_before_text_is_a_setext_underline() -> None:
    # `Result:` followed by `- ` is a setext heading in CommonMark: the seeds rely on it.
    blocks = parse_blocks("Result:\n- \n- filled\n")
    assert [(b.kind, b.line, b.text) for b in blocks] == [("heading", 1, "Result:"), ("paragraph", 3, "filled")]
