"""SPEC section 8: the acceptance facts, asserted on our seed-style fixtures."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lpvault.config import Config
from lpvault.pipeline import load_vault
from lpvault.principles import build_catalog
from lpvault.vault import Vault

from conftest import SEED_FIXTURES, copy_vault


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Vault:
    root = copy_vault(SEED_FIXTURES, tmp_path_factory.mktemp("acceptance") / "v")
    return load_vault(root, Config())


def stories_of(vault: Vault, note: str):
    return [s for s in vault.stories if s.note == note]


def statuses(vault: Vault, note: str) -> Counter[str]:
    return Counter(s.status.value for s in stories_of(vault, note))


class TestStackEditSkeletons:
    NOTE = "lp-stackedit-star-skeletons.md"

    def test_fourteen_principle_sections(self, vault: Vault) -> None:
        note = vault.notes[self.NOTE]
        catalog = build_catalog()
        sections = [(h.line, catalog.match(h.text).name) for h in note.headings if catalog.match(h.text)]
        assert [line for line, _ in sections] == [1, 22, 31, 45, 59, 84, 98, 109, 120, 131, 142, 153, 164, 180]
        assert len({name for _, name in sections}) == 14

    def test_counts_per_status(self, vault: Vault) -> None:
        assert statuses(vault, self.NOTE) == {"blank": 10, "partial": 3, "complete": 6}

    def test_blank_skeletons_at_their_lines(self, vault: Vault) -> None:
        blank = [(s.line, s.end_line) for s in stories_of(vault, self.NOTE) if s.status.value == "blank"]
        assert blank == [(35, 38), (52, 55), (102, 105), (113, 116), (124, 127), (135, 138), (148, 151),
                         (159, 162), (175, 178), (184, 187)]

    def test_partial_stories(self, vault: Vault) -> None:
        partial = [(s.line, s.principles[0], sorted(s.filled)) for s in stories_of(vault, self.NOTE)
                   if s.status.value == "partial"]
        assert partial == [
            (57, "Are Right, A Lot", ["situation"]),
            (93, "Hire and Develop the Best", ["situation", "task"]),
            (172, "Have Backbone; Disagree and Commit", ["situation"]),
        ]

    def test_complete_stories_and_part_lines(self, vault: Vault) -> None:
        complete = [s for s in stories_of(vault, self.NOTE) if s.status.value == "complete"]
        assert [(s.principles[0], s.parts["situation"].line, s.parts["result"].line) for s in complete] == [
            ("Customer Obsession", 5, 14), ("Ownership", 26, 29), ("Invent and Simplify", 40, 43),
            ("Learn and Be Curious", 69, 72), ("Learn and Be Curious", 74, 77), ("Learn and Be Curious", 79, 82),
        ]

    def test_nested_bullets_belong_to_their_part(self, vault: Vault) -> None:
        first = stories_of(vault, self.NOTE)[0]
        assert first.end_line == 20
        assert first.parts["action"].text.count("\n") == 6  # label line + six sub-bullets

    def test_prose_paragraphs_are_not_stories(self, vault: Vault) -> None:
        assert not [s for s in stories_of(vault, self.NOTE) if s.status.value == "unstructured"]


class TestJekyllProjects:
    NOTE = "lp-jekyll-projects.md"

    def test_one_complete_story_per_principle(self, vault: Vault) -> None:
        stories = stories_of(vault, self.NOTE)
        assert statuses(vault, self.NOTE) == {"complete": 16}
        assert sorted(p for s in stories for p in s.principles) == sorted(p.name for p in build_catalog().principles)

    def test_titles_and_keys_from_project_lines(self, vault: Vault) -> None:
        stories = stories_of(vault, self.NOTE)
        assert (stories[0].line, stories[0].key, stories[0].title) == (
            17, "PH1", "Built a live appointment status page for patients")
        assert (stories[10].key, stories[10].title) == (
            None, "2. Traced a memory leak in the API gateway using heap snapshots")
        assert stories[12].title == "(New) Moved CI from self-hosted Jenkins to a hosted CI service"

    def test_action_without_colon_is_read(self, vault: Vault) -> None:
        story = stories_of(vault, self.NOTE)[14]
        assert (story.parts["action"].line, story.parts["action"].label) == (188, "Action")

    def test_no_task_needed(self, vault: Vault) -> None:
        assert all("task" not in s.parts for s in stories_of(vault, self.NOTE))

    def test_reused_project_is_one_story_with_two_principles(self, vault: Vault) -> None:
        entries = [e for e in vault.bank if e.story.note == self.NOTE]
        assert len(entries) == 15
        reused = [e for e in entries if e.reused]
        assert [(e.story.key, e.principles, [s.line for s in e.occurrences]) for e in reused] == [
            ("QP4", ("Invent and Simplify", "Success and Scale Bring Broad Responsibility"), [39, 196])]


class TestCustomerObsessionWeakStrong:
    NOTE = "lp-customer-obsession-weak-strong.md"

    def test_assigned_by_quoted_wording(self, vault: Vault) -> None:
        (story,) = stories_of(vault, self.NOTE)
        assert (story.principles, story.principle_source) == (("Customer Obsession",), "wording")

    def test_one_complete_story_with_reflection(self, vault: Vault) -> None:
        (story,) = stories_of(vault, self.NOTE)
        assert story.status.value == "complete"
        assert {n: p.line for n, p in story.parts.items()} == {"situation": 14, "task": 18, "action": 21, "result": 27}
        assert story.extras["reflection"].line == 32 and not story.extras["reflection"].blank

    def test_u_lines_are_placeholders(self, vault: Vault) -> None:
        (story,) = stories_of(vault, self.NOTE)
        assert story.extras["5 whys"].placeholder_lines == (39, 40, 41, 42)

    def test_headings_without_space_are_not_headings(self, vault: Vault) -> None:
        # `Result:` over an empty `- ` bullet is a real (setext) heading; `##Strong:` is not.
        assert [(h.text, h.line) for h in vault.notes[self.NOTE].headings] == [("Result:", 27)]


class TestHugoBehavioral:
    NOTE = "lp-hugo-behavioral.md"

    def test_toml_front_matter(self, vault: Vault) -> None:
        assert vault.notes[self.NOTE].front_matter["title"] == "Behavioral prep"

    def test_stories_titled_from_headings(self, vault: Vault) -> None:
        stories = stories_of(vault, self.NOTE)
        assert [(s.title, s.principles) for s in stories] == [
            ("Disagree and Commit", ("Have Backbone; Disagree and Commit",)),
            ("A time you received critical feedback", ("Earn Trust",)),
            ("A time you missed a commitment", ("Earn Trust",)),
            ("A time you found a problem nobody else had noticed", ("Earn Trust",)),
            ("A time you helped a teammate who was struggling", ("Earn Trust",)),
        ]

    def test_third_earn_trust_story_has_a_blank_situation(self, vault: Vault) -> None:
        story = stories_of(vault, self.NOTE)[3]
        assert (story.status.value, story.parts["situation"].line, story.parts["situation"].blank) == (
            "partial", 28, True)

    def test_plural_labels_and_extras(self, vault: Vault) -> None:
        stories = stories_of(vault, self.NOTE)
        assert stories[0].parts["result"].label == "Results"
        assert stories[2].parts["action"].label == "Actions"
        assert sorted(stories[0].extras) == ["customer problem", "do differently"]


def test_journal_has_no_stories(vault: Vault) -> None:
    note = "journal-first-year-sr-director.md"
    assert stories_of(vault, note) == []
    assert vault.notes[note].problems == () and vault.notes[note].tags == () and vault.notes[note].links == ()
