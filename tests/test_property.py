"""Property-based tests: random Markdown-ish text, front matter and label soup never
crash the parser, every position it reports is inside the note, and indexing the
same vault twice gives the same bytes. Plus differential tests that pin the
linear-time rewrites of regular expressions to the expressions they replaced.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lpvault.config import Config
from lpvault.pipeline import Analyzer, make_catalog, run_index

# Modest by default so the suite stays fast; LPVAULT_EXAMPLES=5000 for a long hunt.
EXAMPLES = int(os.environ.get("LPVAULT_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=max(EXAMPLES // 6, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANALYZER = Analyzer(Config(), make_catalog(Config()))
PROBLEM_RULES = {"unreadable-file", "invalid-front-matter", "front-matter-tags"}

TOKENS = [
    "#", "## ", "### ", "##Strong:", "- ", "* ", "+ ", "1. ", "> ", "> > ", "    ", "\t", " ", "  - ", "`", "```",
    "~~~", "**", "__", "*", "_", "[[", "]]", "|", "#", "^", "^block-1", "%%", "<!--", "-->", "<hr/>", "---", "***",
    "+++", ":", "::", "(", ")", "[", "](", "](x.md#h)", "![[", "&nbsp;", "u", "?", "...", "TODO", "Situation",
    "Task", "Action", "Actions", "Result", "Results:", "S:", "A -", "R :", "Context:", "Outcome", "Reflection:",
    "**Project:** IT4. ", "Principle:: Dive Deep", "Customer Obsession", "Dive Deep", "Invent and Simplfy",
    "Disagree & Commit", "lpvault-disable LPV101", "we", "I", "40%", "é", "🚀", "\u200d", "x", "word ", "\n",
    "\n\n", "\r\n", "\r", "| a | b |\n|---|---|\n", "=====\n", "[!note]", "#tag/nested", "[[Note#Heading|alias]]",
]
LABELS = ["**Situation:**", "**Situation**:", "Situation:", "SITUATION:", "- S:", "- S -", "-   S : ", "### Situation",
          "* **Task**:", "Tasks:", "**Action**", "Action:", "Actions:", "- A:", "Result:", "Results:", "**Result:**",
          "Context:", "Goal:", "Approach:", "Outcome:", "Impact:", "Learnings:", "Do Differently:", "5 Whys:",
          "S: Situation, T: Task, A: Action, R: Result", "**Project:** X1. Title", "## Customer Obsession",
          "## Earn Trust", "### Story", "---", "u", "TBD", "I led the migration.", "We shipped 3 weeks early.", ""]

markdownish = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=80).map("".join)
label_soup = st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(["", " x", " u", " I did 40%", "\n  - nested"])),
                      max_size=40).map(lambda pairs: "\n".join(a + b for a, b in pairs))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=20)
front_keys = st.sampled_from(["tags", "tag", "aliases", "alias", "principles", "lp", "title", "date", "cssclass"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """A front matter block: valid YAML of odd shapes, broken YAML, or TOML-ish noise."""
    kind = draw(st.sampled_from(["yaml", "garbage", "toml"]))
    if kind == "yaml":
        data = draw(st.dictionaries(st.one_of(front_keys, st.text(max_size=6)), yaml_values, max_size=5))
        return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
    noise = draw(st.lists(st.sampled_from(["tags: [", "a: &x [1]", "b: *x", "!!python/object:os.system", "- a",
                                           "key = [", "x = 1", "'", '"', "{", "}", ":", "\t", "k: v", "\n", "]",
                                           "date: 2020-02-30", "n: 0x" + "f" * 40]), max_size=12))
    fence = "---" if kind == "garbage" else "+++"
    closed = draw(st.booleans())
    return f"{fence}\n" + "\n".join(noise) + (f"\n{fence}\n" if closed else "\n")


def _check_note(text: str, data: bytes | None = None) -> None:
    """Analyse a note; every block and problem lies inside it, lines in order."""
    data = data if data is not None else text.encode("utf-8")
    analysis = ANALYZER.analyse("note.md", data)
    note = analysis.note
    lines = max(note.line_count, data.count(b"\n") + 1)  # an unreadable note has no decoded lines
    last = 0
    for block in note.blocks:
        assert 1 <= block.line <= lines and block.line >= last
        last = block.line
    for problem in note.problems:
        assert problem.rule in PROBLEM_RULES and 1 <= problem.line <= lines
    for story in analysis.stories:
        assert 1 <= story.line <= note.line_count and story.status.value in ("complete", "partial", "blank",
                                                                              "unstructured")


@FAST
@given(markdownish)
def test_markdownish_text_never_crashes_the_parser(text: str) -> None:
    _check_note(text)


@FAST
@given(front_matter(), markdownish)
def test_random_front_matter_never_crashes_the_parser(front: str, body: str) -> None:
    _check_note(front + body)


@FAST
@given(label_soup)
def test_label_soup_never_crashes_story_extraction(soup: str) -> None:
    _check_note("# Customer Obsession\n\n## A story\n\n" + soup)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_reader(data: bytes) -> None:
    _check_note("", data)


@SLOW
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "Sub/c", "Cust", "d e"]),
                          st.one_of(markdownish, label_soup.map(lambda s: "## Dive Deep\n\n### S\n" + s))),
                min_size=1, max_size=4, unique_by=lambda pair: pair[0]))
def test_index_twice_gives_the_same_bytes(notes: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        outputs = [_index(Path(folder), notes) for folder in (first, second)]
        again = run_index(Path(first), Config(), jobs=1)
        assert again.written == [] and again.removed == []
        assert _outputs(Path(first)) == outputs[0] == outputs[1]


def _index(root: Path, notes: list[tuple[str, str]]) -> dict[str, bytes]:
    for name, text in notes:
        (root / f"{name}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    run_index(root, Config(), jobs=1, use_cache=False)
    return _outputs(root)


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "LP Index").iterdir())}


# -- the linear rewrites find what the regular expressions found --------------------------

soup_of = lambda alphabet: st.lists(st.sampled_from(alphabet), max_size=16).map("".join)  # noqa: E731


@FAST
@given(soup_of([" ", "\t", "#", "a", "\u00a0", "x#"]))
def test_closing_hashes_match_the_old_expression(text: str) -> None:
    from lpvault.blocks import _drop_closing_hashes

    assert _drop_closing_hashes(text) == re.sub(r"(?:[ \t]+#+)?[ \t]*$", "", text)


@FAST
@given(soup_of([" ", "\t", "\n", "#", "a", "\u3000"]))
def test_mistunes_atx_trim_matches_its_own_expression(text: str) -> None:
    from mistune import block_parser

    assert block_parser._ATX_HEADING_TRIM.sub("", text) == re.sub(r"(\s+|^)#+\s*$", "", text)


@FAST
@given(soup_of([" ", "(", ")", "a", "\t", "\u2003"]))
def test_parentheticals_drop_as_the_old_loop_did(text: str) -> None:
    from lpvault.principles import _drop_parentheticals

    old, pattern = text, re.compile(r"\s*\([^()]*\)")
    while pattern.search(old):
        old = pattern.sub("", old)
    assert _drop_parentheticals(text) == old


@FAST
@given(soup_of(["<!--", "-->", "<", "!", "-", ">", "a", "\n"]))
def test_html_comment_spans_match_the_old_expression(text: str) -> None:
    from lpvault.inline import html_comment_spans

    assert html_comment_spans(text) == [m.span() for m in re.finditer(r"<!--.*?-->", text, re.S)]


@FAST
@given(soup_of(["`", "``", "a", " ", "\n"]))
def test_code_spans_pair_runs_of_equal_length(text: str) -> None:
    """CommonMark: a run opens a span closed by the next run of the same length."""
    from lpvault.inline import code_spans

    for start, end in code_spans(text):
        opener = re.match(r"`+", text[start:]).group(0)  # type: ignore[union-attr]
        assert text[end - len(opener):end] == opener and (end == len(text) or text[end] != "`")
        assert start == 0 or text[start - 1] != "`"
        inner = text[start + len(opener):end - len(opener)]
        assert inner and all(len(run) != len(opener) for run in re.findall(r"`+", inner))


@FAST
@given(soup_of([" ", "\t", "*", "**", "_", ":", "::", "-", "–", "S", "Situation", "Action", "5 whys", "x", "’", "R"]))
def test_the_label_expression_matches_its_backtracking_form(text: str) -> None:
    from lpvault.labels import LabelReader

    pattern = LabelReader().pattern
    old = re.compile(pattern.pattern.replace(r"[ \t]*+", r"[ \t]*"), pattern.flags)
    new_match, old_match = pattern.match(text), old.match(text)
    assert (new_match and new_match.groupdict()) == (old_match and old_match.groupdict())


@FAST
@given(soup_of(["[", "]", "[[", "]]", "|", "#", "a", "!", " "]))
def test_the_field_link_expression_matches_its_backtracking_form(text: str) -> None:
    old = re.compile(r"!?\[\[([^\]|#]+)[^\]]*\]\]")
    new = re.compile(r"!?\[\[([^\]|#]++)[^\]]*+\]\]")  # as in assign.NoteSources._match_list
    assert new.sub(r"\1", text) == old.sub(r"\1", text)
