"""Story extraction: boundaries, parts, status, principles, ignored regions."""
from __future__ import annotations

import pytest

from lpvault.config import Config
from lpvault.principles import build_catalog
from lpvault.vault import build_bank

from conftest import analyse

FILLED = "**Situation:** s\n**Task:** t\n**Action:** a\n**Result:** r\n"


def stories(text: str, path: str = "note.md", config: Config | None = None):
    return analyse(text, path, config).stories


def summary(text: str, path: str = "note.md"):
    return [(s.title, s.line, s.status.value, s.principles) for s in stories(text, path)]


# -- boundaries -----------------------------------------------------------------------

def test_heading_below_principle_starts_a_story_titled_by_it() -> None:
    text = "## Dive Deep\n### Outage at 3am\n" + FILLED + "### Billing bug\n" + FILLED
    assert summary(text) == [("Outage at 3am", 3, "complete", ("Dive Deep",)),
                             ("Billing bug", 8, "complete", ("Dive Deep",))]


def test_project_line_starts_a_story_with_key_and_title() -> None:
    text = "## Frugality\n- **Project:** ZX9. Cut the bill\n  - **Situation:** s\n  - **Action:** a\n  - **Result:** r\n"
    (story,) = stories(text)
    assert (story.key, story.title, story.line, story.status.value) == ("ZX9", "Cut the bill", 2, "complete")


def test_bold_line_alone_is_a_pseudo_heading() -> None:
    text = "## Ownership\n\n**Pager rotation**\n\n" + FILLED + "\n**Cost review**\n\n" + FILLED
    assert [(s.title, s.line) for s in stories(text)] == [("Pager rotation", 5), ("Cost review", 12)]


def test_situation_after_labels_starts_a_new_story() -> None:
    text = "## Think Big\n* **Situation**: \n* **Task**: \n* **Action**: \n* **Result**: \n* **Situation**: s\n* **Action**: a\n* **Result**: r\n"
    assert [(s.line, s.status.value) for s in stories(text)] == [(2, "blank"), (6, "complete")]


def test_thematic_break_ends_a_story_with_labels_only() -> None:
    text = "## Earn Trust\n### Title\n---\n" + FILLED + "\n---\nS: s2\nA: a2\nR: r2\n"
    result = stories(text)
    assert [(s.title, s.line, s.status.value) for s in result] == [("Title", 4, "complete"), ("Title (2)", 10, "complete")]


def test_html_hr_ends_a_story() -> None:
    text = "## Earn Trust\n" + FILLED + "\n<hr/>\n\nSituation: s\nResult: r\nAction: a\n"
    assert len(stories(text)) == 2


def test_part_text_runs_to_next_label_with_nested_bullets() -> None:
    text = "## Ownership\nSituation:\n- one\n- two\n\nAction:\n- did\n  - deeper\nResult: ok\n"
    (story,) = stories(text)
    assert story.parts["situation"].text == "one\ntwo"
    assert story.parts["action"].text == "did\ndeeper"
    assert story.end_line == 9


def test_list_part_does_not_swallow_following_paragraph() -> None:
    text = "## Bias for Action\n* **Situation**: \n* **Task**: \n* **Action**: \n* **Result**: \n\nLater notes here.\n"
    (story,) = stories(text)
    assert story.status.value == "blank" and story.end_line == 5


def test_labels_as_headings() -> None:
    text = "# Deliver Results\n## Launch week\n### Situation\nold app\n### Task\nport it\n### Action\nported\n### Result\nshipped 2 days early\n"
    (story,) = stories(text)
    assert (story.title, story.status.value, story.parts["result"].line) == ("Launch week", "complete", 9)


def test_inline_labels_in_one_paragraph() -> None:
    text = "## Earn Trust\nSituation: s\nTask: t\nAction: a\nResult: r\n"
    (story,) = stories(text)
    assert [p.line for p in story.parts.values()] == [2, 3, 4, 5]


def test_legend_line_is_not_a_story() -> None:
    assert stories("## Dive Deep\nS: Situation, T: Task, A: Action, R: Result\n") == ()


# -- blank and placeholders ---------------------------------------------------------------

@pytest.mark.parametrize("filler", ["", "&nbsp;", "u", "x", "?", "...", "TODO", "TBD", "FIXME", "lorem", "- "])
def test_blank_parts(filler: str) -> None:
    text = f"## Frugality\nSituation: {filler}\nAction: {filler}\nResult: {filler}\n"
    (story,) = stories(text)
    assert story.status.value == "blank"


def test_placeholder_lines_are_recorded() -> None:
    text = "## Frugality\nSituation: s\nAction: a\nResult:\n- u\n- real result\n"
    (story,) = stories(text)
    assert (story.parts["result"].placeholder_lines, story.status.value) == ((5,), "complete")


def test_status_partial_and_task_optional() -> None:
    assert summary("## Ownership\nSituation: s\nAction: a\nResult: r\n")[0][2] == "complete"
    assert summary("## Ownership\nSituation: s\nTask: t\n")[0][2] == "partial"


def test_required_parts_are_configurable() -> None:
    config = Config(required_parts=("situation", "task", "action", "result"))
    (story,) = stories("## Ownership\nSituation: s\nAction: a\nResult: r\n", config=config)
    assert story.status.value == "partial"


def test_unstructured_story_under_a_principle() -> None:
    text = "## Think Big\n\nI once proposed a platform rewrite.\n"
    assert summary(text) == [("Think Big", 1, "unstructured", ("Think Big",))]


def test_prose_outside_principles_is_not_a_story() -> None:
    assert stories("# Purpose\n\nA work log.\n\n## Log\n- did things\n") == ()


def test_word_count_counts_star_text_only() -> None:
    (story,) = stories("## Ownership\nCustomer Problem: one two three\nSituation: a b\nAction: c d\nResult: e f\n")
    assert story.words == 6


# -- ignored regions -----------------------------------------------------------------------

@pytest.mark.parametrize("wrapped", [
    "```\n{}```\n",
    "<!--\n{}-->\n",
    "%%\n{}%%\n",
    "    " + "\n    ".join(FILLED.splitlines()) + "\n",
])
def test_no_story_inside_ignored_regions(wrapped: str) -> None:
    assert stories("## Dive Deep\n" + wrapped.replace("{}", FILLED)) == ()


def test_inline_code_is_not_a_label() -> None:
    assert stories("## Dive Deep\n`Situation: s`\n`Result: r`\n")[0].status.value == "unstructured"


# -- principles ----------------------------------------------------------------------------

@pytest.mark.parametrize("heading", [
    "## Customer Obsession", "## 1. Customer Obsession", "## CUSTOMER OBSESSION:", "## customer obsession (B2B)",
    "## Customer Obsession ✔", "## Customer Obsession – 顧客へのこだわり", '### Questions on "Customer Obsession":',
])
def test_principle_heading_variants(heading: str) -> None:
    assert stories(heading + "\n" + FILLED)[0].principles == ("Customer Obsession",)


@pytest.mark.parametrize(("heading", "principle"), [
    ("## Disagree and Commit", "Have Backbone; Disagree and Commit"),
    ("## Disagree & Commit", "Have Backbone; Disagree and Commit"),
    ("## Have Backbone, Disagree, Fully Commit", "Have Backbone; Disagree and Commit"),
    ("## Insist on High Standards", "Insist on the Highest Standards"),
    ("## Highest Standards", "Insist on the Highest Standards"),
    ("## Are Right, a lot", "Are Right, A Lot"),
    ("## Earth’s Best Employer", "Strive to be Earth's Best Employer"),
])
def test_principle_short_names(heading: str, principle: str) -> None:
    assert stories(heading + "\n" + FILLED)[0].principles == (principle,)


def test_heading_wins_over_field_and_front_matter() -> None:
    text = "---\nprinciples: [Frugality]\n---\n## Ownership\n**Principle:** Dive Deep\n" + FILLED
    (story,) = stories(text)
    assert (story.principles, story.principle_source) == (("Ownership",), "heading")


def test_story_field_then_mapping_then_title() -> None:
    (field,) = stories("## A story\n**Principle:** Dive Deep, Frugality\n" + FILLED)
    assert (field.principles, field.principle_source) == (("Frugality", "Dive Deep"), "field")
    dataview = stories("## A story\nPrinciple:: Frugality\n" + FILLED)
    assert dataview[0].principles == ("Frugality",)
    mapping = "- Customer Obsession: **Search rewrite**\n- Dive Deep: [[#Search rewrite]]\n\n## Search rewrite\n" + FILLED
    (mapped,) = stories(mapping)
    assert (mapped.principles, mapped.principle_source) == (("Customer Obsession", "Dive Deep"), "mapping")
    (titled,) = stories("## A story\n" + FILLED, path="stories/Amazon-12-Dive-Deep.md")
    assert (titled.principles, titled.principle_source) == (("Dive Deep",), "title")


def test_front_matter_and_tags_are_one_source() -> None:
    text = "---\nlp: Frugality\ntags: [lp/dive-deep]\n---\n## A story\n" + FILLED
    (story,) = stories(text)
    assert (story.principles, story.principle_source) == (("Frugality", "Dive Deep"), "front-matter")


def test_unassigned_story_is_kept() -> None:
    (story,) = stories("## A story\n" + FILLED)
    assert (story.principles, story.principle_source) == ((), "unassigned")


# -- reuse ---------------------------------------------------------------------------------

def test_same_title_and_text_is_reuse_but_same_title_alone_is_not() -> None:
    same = "## Dive Deep\n### Outage\n" + FILLED + "## Ownership\n### Outage\n" + FILLED
    other = "## Dive Deep\n### Outage\n" + FILLED + "## Ownership\n### Outage\nSituation: other\nAction: a\nResult: r\n"
    catalog = build_catalog()
    assert [e.principles for e in build_bank(stories(same), catalog)] == [("Ownership", "Dive Deep")]
    assert len(build_bank(stories(other), catalog)) == 2


def test_anchor_is_the_heading_obsidian_opens() -> None:
    text = "# Dive Deep\n## Notes\n> ### Quoted\n" + FILLED
    (story,) = stories(text)
    assert story.anchor == "Notes"
