"""The fast paths of the per-note analysis give exactly what the slow ones gave.

Each shortcut (libyaml for plain front matter, the substring test before the
blank-tolerant column search, memoised principle matching) is pinned here to
the code it stands in for, on generated input.
"""
from __future__ import annotations

import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lpvault import frontmatter
from lpvault.inline import _shift
from lpvault.principles import build_catalog

EXAMPLES = int(os.environ.get("LPVAULT_EXAMPLES", "300"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- front matter: libyaml where it reads as PyYAML does, PyYAML everywhere else -----

YAML_TOKENS = [
    "a", "key", ": ", ":", "- ", "-", "\n", "\n  ", "\n    ", " ", "[", "]", "{", "}", ",", "'", '"', "#", "# c",
    "?", "? ", "|", ">", "|-", ">+", "!", "!!str ", "!!timestamp ", "&a ", "*a", "%", "@", "`", "2020-02-30",
    "2021-01-01", "12:30:00", "0x1f", "1_000", ".inf", "~", "yes", "No", "3.5", "\\", "\\u00e9", "\\ud800", "é",
    "🚀", "\u00a0", "\u2028", "\x85", "\ufeff", "\t", "...", "---", "<<: ", "\x07", "[[Hub]]", "%YAML 1.1\n",
    "{a: [b, {c: d}]}", "[a, b, ]", "key: |\n  text\n", "key: >-\n  folded\n", "http://x.y/z?q=1", "[a: b]",
]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=12)


@st.composite
def yaml_blocks(draw: st.DrawFn) -> str:
    """Valid YAML of odd shapes with a few tokens swapped in, or token soup."""
    if draw(st.booleans()):
        text = list(yaml.safe_dump(draw(st.dictionaries(st.text(max_size=6), values, max_size=5)),
                                   allow_unicode=draw(st.booleans()), default_flow_style=draw(st.sampled_from([None, True, False]))))
        for _ in range(draw(st.integers(0, 4))):
            if text:
                at = draw(st.integers(0, len(text) - 1))
                text[at:at + 1] = [draw(st.sampled_from(YAML_TOKENS))]
        return "".join(text)
    return "".join(draw(st.lists(st.sampled_from(YAML_TOKENS), max_size=30)))


def _outcome(source: str, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(frontmatter, "_load_yaml_fast", lambda source: frontmatter._SLOW)
        try:
            return ("ok", repr(frontmatter._load("yaml", source)))
        except frontmatter._Invalid as error:
            return ("invalid", error.line, error.reason)


@FAST
@given(yaml_blocks())
def test_libyaml_reads_front_matter_as_the_careful_loader_does(source: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _outcome(source, True, monkeypatch) == _outcome(source, False, monkeypatch)


def test_libyaml_is_used_for_plain_front_matter() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    assert frontmatter._load_yaml_fast("title: x\ntags: [a, b]\n") == {"title": "x", "tags": ["a", "b"]}


@pytest.mark.parametrize("source", [
    "a: &a x\nb: *a\n",  # an alias: the alias limit is counted by the careful loader
    "x: " + "[" * 600 + "]" * 600,  # nested past what libyaml may recurse through
    "a:\tb\n",  # tabs: libyaml skips them where PyYAML refuses them
    "a: [b?c]\n",  # PyYAML ends a plain scalar at `?` in a flow collection
    "a: !!str 1\n",  # tags
])
def test_front_matter_libyaml_may_misread_goes_to_the_careful_loader(source: str) -> None:
    assert frontmatter._load_yaml_fast(source) is frontmatter._SLOW


def test_an_explicit_timestamp_that_is_no_date_stays_text() -> None:
    """`!!timestamp` on text that is no date at all is kept as text, as `2020-02-30` is."""
    assert frontmatter.split_front_matter("---\nx: !!timestamp abc\n---\n").data == {"x": "abc"}


# -- columns: the substring test first, the blank-tolerant comparison after ---------


def _old_shift(source: str, text: str) -> int | None:
    """`_shift` as it was: every start compared character by character."""
    from lpvault.inline import _PREFIX

    body = text.rstrip()
    if len(body) > len(source):
        return None
    last = min(_PREFIX.match(source).end(), len(source) - len(body))  # type: ignore[union-attr]
    for start in range(last + 1):
        if all(t == s or t == " " for t, s in zip(body, source[start:start + len(body)])):
            return start
    return None


line_soup = st.lists(st.sampled_from([" ", "  ", "\t", "-", "- ", "> ", "1. ", "#", "## ", "a", "b", "`", "x y",
                                      "[[", "]]", "%%", "\u00a0"]), max_size=14).map("".join)


@FAST
@given(line_soup, st.integers(0, 6), st.lists(st.integers(0, 40), max_size=4))
def test_shift_finds_the_start_the_character_loop_found(source: str, cut: int, blanks: list[int]) -> None:
    text = list(source[cut:])
    for at in blanks:
        if at < len(text) and text[at] != "\n":
            text[at] = " "  # what blanking a code span or a comment does
    assert _shift(source, "".join(text)) == _old_shift(source, "".join(text))


@FAST
@given(line_soup, line_soup)
def test_shift_of_unrelated_text_matches_too(source: str, text: str) -> None:
    assert _shift(source, text) == _old_shift(source, text)


# -- principle matching: remembered answers are the answers --------------------------


@FAST
@given(st.lists(st.sampled_from(["Dive Deep", "## 3. Dive Deep", "dive deep", "Earn Trust", "x", "Ownership – 主人翁",
                                 'Questions on "Dive Deep":', "Invent and Simplfy", "Bias for Action (speed)", ""]),
                max_size=20))
def test_memoised_principle_matching_gives_the_same_answers(texts: list[str]) -> None:
    remembered, fresh = build_catalog(), build_catalog()
    for text in texts:
        assert remembered.match(text) == fresh._match(text)


def test_the_ascii_symbols_dropped_from_names_are_the_caret_and_the_backtick() -> None:
    """`principles._prepare` drops only these from ASCII text instead of asking
    unicodedata about every character."""
    import unicodedata

    dropped = [chr(c) for c in range(128) if unicodedata.category(chr(c)) in ("So", "Sk", "Cf")]
    assert dropped == ["^", "`"]


@FAST
@given(st.lists(st.sampled_from(["Situation", "situation", "S", "T", "A", "R", ":", "=", "-", " ", "Task", "action",
                                 "RESULT", "x", "\u017f", "\u212a", "\u017fituation"]), max_size=12).map("".join))
def test_the_legend_shortcut_agrees_with_the_expression(line: str) -> None:
    from lpvault.labels import _LEGEND, LabelReader

    assert LabelReader.is_legend(line) == (len(_LEGEND.findall(line)) >= 2)


@FAST
@given(st.lists(st.sampled_from([" ", "\t", "*", "+", "-", ">", "&nbsp;", "<br>", "\u00a0", "u", "TODO", "x", "\u2003",
                                 "&", "<", "...", "\n"]), max_size=10).map("".join))
def test_the_blank_line_shortcut_agrees_with_the_expression(text: str) -> None:
    from lpvault.stories import _BLANK_NOISE, _PLACEHOLDER_PREFIX, _line_state

    def old_state(text: str, placeholders: frozenset[str]) -> str:
        content = _BLANK_NOISE.sub("", text).strip()
        if not content:
            return "blank"
        if content.lower() in placeholders or content.strip(".:;!-").lower() in placeholders:
            return "placeholder"
        return "placeholder" if _PLACEHOLDER_PREFIX.match(content) else "text"

    placeholders = frozenset({"u", "x", "?", "..."})
    assert _line_state(text, placeholders) == old_state(text, placeholders)


# -- front matter shape: containers recorded, scalars counted in passing ----------------


def _old_check_shape(data: object) -> None:
    """`frontmatter._check_shape` as it was: every value recorded by id."""
    done: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[object, bool]] = [(data, False)]
    while stack:
        value, children_done = stack.pop()
        key = id(value)
        if children_done:
            on_path.discard(key)
            measured = [done[id(child)] for child in frontmatter._children(value)]
            size = 1 + sum(m[0] for m in measured)
            height = 1 + max((m[1] for m in measured), default=0)
            if size > frontmatter.MAX_EXPANDED_VALUES:
                raise frontmatter._BadShape(f"aliases expand to more than {frontmatter.MAX_EXPANDED_VALUES} values (an alias bomb?)")
            if height > frontmatter.MAX_DEPTH:
                raise frontmatter._BadShape(f"values nested more than {frontmatter.MAX_DEPTH} levels deep")
            done[key] = size, height
        elif key not in done:
            if key in on_path:
                raise frontmatter._BadShape("a value contains itself (a recursive alias)")
            frontmatter._check_scalar(value)
            on_path.add(key)
            stack.append((value, True))
            stack.extend((child, False) for child in frontmatter._children(value) if id(child) not in done)


def _shape_outcome(check: object, data: object) -> str:
    try:
        check(data)  # type: ignore[operator]
    except frontmatter._BadShape as error:
        return str(error)
    return "ok"


shape_leaves = st.one_of(st.integers(), st.sampled_from([2 ** 1100, "\ud800", "é", "x", None, 1.5]))


@FAST
@given(st.recursive(shape_leaves, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                          st.dictionaries(st.text(max_size=3), inner, max_size=5)),
                    max_leaves=40),
       st.integers(0, 120), st.booleans(), st.booleans())
def test_the_shape_check_refuses_what_it_refused(data: object, depth: int, share: bool, cycle: bool) -> None:
    frontmatter_data: object = data
    for _ in range(depth):  # nesting near MAX_DEPTH
        frontmatter_data = [frontmatter_data]
    if share:  # an alias: the same list many times over
        shared = [data] * 50
        frontmatter_data = {"a": [shared] * 50, "b": frontmatter_data}
    if cycle:
        loop: list[object] = [frontmatter_data]
        loop.append(loop)
        frontmatter_data = {"loop": loop}
    assert _shape_outcome(frontmatter._check_shape, frontmatter_data) == _shape_outcome(_old_check_shape, frontmatter_data)


# -- story titles and mistune's list breaks -------------------------------------------


@FAST
@given(st.lists(st.sampled_from(["**", "__", "*", "_", "a", " ", ":", "\n", "\t", "Title"]), max_size=10).map("".join))
def test_a_bold_title_is_unwrapped_as_the_substitution_did(text: str) -> None:
    import re

    from lpvault.stories import _clean_title

    old = re.sub(r"^(\*\*|__)(.+)\1$", r"\2", text.strip())
    assert _clean_title(text) == (" ".join(old.rstrip(":").split()) or old)


def test_list_break_expressions_are_remembered_per_parser_and_indent() -> None:
    import mistune
    from mistune import list_parser

    from lpvault.blocks import _MARKDOWN

    remembered = list_parser._compile_list_break_sc
    for width in range(6):
        pattern = remembered(_MARKDOWN.block, width)
        assert pattern is remembered(_MARKDOWN.block, width)
        assert pattern == remembered.original(_MARKDOWN.block, width)  # type: ignore[attr-defined]
    other = mistune.create_markdown(renderer=None).block
    before = remembered(other, 1)
    other.register("fenced_directive", r"^ {0,3}:::x", lambda block, m, state: None, before="fenced_code")
    after = remembered(other, 1)  # a new rule: the kept expression is built again
    assert after is not before and after == remembered.original(other, 1)  # type: ignore[attr-defined]


@FAST
@given(st.lists(st.sampled_from([chr(c) for c in range(128)] + ["'", "a'b", "_'", "'_", "Word", "é"]),
                max_size=20).map("".join))
def test_wording_is_normalised_as_the_expression_did(text: str) -> None:
    import re
    import unicodedata

    from lpvault.principles import _QUOTES, normalize_wording

    old = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    old = re.sub(r"[^\w']+|(?<!\w)'|'(?!\w)", " ", old)
    assert normalize_wording(text) == " " + " ".join(old.replace("_", " ").split()) + " "


def test_blocks_made_without_init_equal_blocks_made_with_it() -> None:
    import pickle
    from dataclasses import fields

    from lpvault.blocks import _block
    from lpvault.model import Block

    made = _block("paragraph", 3, 4, "text", 0, 1, True, False)
    built = Block("paragraph", 3, 4, "text", 0, 1, True, False)
    assert all(hasattr(made, f.name) for f in fields(Block))  # a new field must be set here too
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert pickle.loads(pickle.dumps(made)) == built



@pytest.mark.parametrize("name", ["Heading", "Link", "Tag", "Block", "Problem", "Directive", "Note", "Part", "Story",
                                  "BankEntry", "Analysis", "Finding"])
def test_records_pickle_back_whole(name: str) -> None:
    """Records are pickled as their arguments (`records.pickled_as_arguments`, Part's own
    `__reduce__`), handed back in the order `__init__` takes them: every field, none left
    at its default, comes back in its place."""
    import pickle
    from dataclasses import fields

    from lpvault import findings, model

    cls = getattr(model, name, None) or getattr(findings, name)
    values = {f.name: f"{f.name} {index}" for index, f in enumerate(fields(cls))}
    again = pickle.loads(pickle.dumps(cls(**values), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is cls and {f.name: getattr(again, f.name) for f in fields(cls)} == values


# -- mistune: paragraph ends looked for at line starts only ----------------------------

MARKDOWN_TOKENS = ["\n", "\n\n", "  ", "    ", "\t", "- ", "* ", "1. ", "2) ", "> ", "# ", "## ", "```\n", "~~~", "***\n",
                   "===\n", "---\n", "| a | b |\n", "|---|---|\n", "<div>\n", "<!-- x -->", "[x]: /url\n", "**bold** ",
                   "**Situation:** ", "_it_ ", "\\", "`code`", "&amp;", "*", "+ ", ")", "word ", "x", "%%", "[[a]]"]


@FAST
@given(st.lists(st.sampled_from(MARKDOWN_TOKENS), max_size=60).map("".join))
def test_the_block_parser_gives_the_tokens_plain_mistune_gives(text: str) -> None:
    import mistune

    from lpvault.blocks import _MARKDOWN, _LineStartSearch

    plain = mistune.create_markdown(renderer=None, plugins=["table"])
    assert isinstance(_MARKDOWN.block.compile_sc(), _LineStartSearch)
    assert not isinstance(plain.block.compile_sc(), _LineStartSearch)

    def tokens(markdown: object) -> object:
        state = markdown.block.state_cls()  # type: ignore[attr-defined]
        state.process(text + "\n")
        markdown.block.parse(state)  # type: ignore[attr-defined]
        return state.tokens

    assert tokens(_MARKDOWN) == tokens(plain)


@pytest.mark.parametrize(("expression", "anchored"), [
    (r"^a", True), (r"(^[ \t]*\n)+", True), (r"(?P<a>^x)|(?P<b>(^y)+)", True),
    (r"^a|b", False), (r"(^a)?b", False), (r"a^", False), (r"(?P<a>^x)|(?P<b>y)", False),
])
def test_only_expressions_anchored_at_line_starts_are_searched_line_by_line(expression: str, anchored: bool) -> None:
    import re

    from lpvault.blocks import _starts_at_line_starts

    assert _starts_at_line_starts(re.compile(expression, re.M)) is anchored


block_line = st.lists(st.sampled_from([" ", "\t", "-", "- ", "* ", "1. ", "> ", ">", "a", "b c", "**x**", "\u00a0", "  "]),
                      max_size=8).map("".join)


@FAST
@given(block_line, block_line)
def test_a_paragraph_start_is_recognised_as_the_comparison_did(line: str, raw: str) -> None:
    from lpvault.blocks import _content, _is_paragraph_start, _squash

    first = _squash(raw)
    assert _is_paragraph_start(line, raw) == (_content(line) == first or _squash(line) == first)
