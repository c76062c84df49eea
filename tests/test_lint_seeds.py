"""SPEC section 8 as findings, on the seed-style fixtures (tests/fixtures/seeds/EXPECTED.md)."""
from __future__ import annotations

import pytest

from lpvault.config import load_config
from lpvault.findings import Finding, Severity
from lpvault.lint import lint
from lpvault.pipeline import load_vault

STACKEDIT = "lp-stackedit-star-skeletons.md"
JEKYLL = "lp-jekyll-projects.md"
WEAK_STRONG = "lp-customer-obsession-weak-strong.md"
HUGO = "lp-hugo-behavioral.md"
JOURNAL = "journal-first-year-sr-director.md"


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    from conftest import SEED_FIXTURES, copy_vault

    root = copy_vault(SEED_FIXTURES, tmp_path_factory.mktemp("lint") / "seeds")
    return lint(load_vault(root, load_config(root)))


def _in(findings: list[Finding], path: str, *, at_least: Severity = Severity.INFO) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in findings if f.path == path and f.severity >= at_least]


def test_stackedit_blank_skeletons_and_partial_stories(findings: list[Finding]) -> None:
    blank = [35, 52, 102, 113, 124, 135, 148, 159, 175, 184]
    assert _in(findings, STACKEDIT, at_least=Severity.ERROR) == [("LPV101", line, 1) for line in blank]
    warnings = [f for f in _in(findings, STACKEDIT, at_least=Severity.WARNING) if f[0] != "LPV101"]
    # Are Right (Situation only), Hire (blank Action at 95), Backbone (Situation only).
    assert warnings == [("LPV102", 57, 1), ("LPV102", 95, 1), ("LPV102", 172, 1)]


def test_stackedit_messages_name_the_missing_parts(findings: list[Finding]) -> None:
    messages = [f.message for f in findings if f.path == STACKEDIT and f.code == "LPV102"]
    assert messages == ["story 'Are Right, A Lot (2)' has no Action and Result",
                        "story 'Hire and Develop the Best' has a blank Action and Result",
                        "story 'Have Backbone; Disagree and Commit' has no Action and Result"]


def test_stackedit_prose_is_never_an_error(findings: list[Finding]) -> None:
    prose = {49, 50, 63, 65, 66, 67, 88, 90, 107, 118, 129, 140, 146, 157, 168, 170, 190, *range(191, 199)}
    assert not [f for f in findings if f.path == STACKEDIT and f.line in prose and f.severity is Severity.ERROR]


def test_jekyll_no_missing_task_and_action_without_colon_is_fine(findings: list[Finding]) -> None:
    assert _in(findings, JEKYLL, at_least=Severity.WARNING) == []
    assert not [f for f in findings if f.path == JEKYLL and 185 <= f.line <= 190]  # `- **Action**` at 188
    assert _in(findings, JEKYLL) == [("LPV104", 106, 1), ("LPV104", 191, 1)]  # Results with nothing measured


def test_weak_strong_headings_and_placeholders(findings: list[Finding]) -> None:
    assert _in(findings, WEAK_STRONG) == [
        ("LPV201", 10, 1), ("LPV201", 12, 1),
        ("LPV103", 39, 1), ("LPV103", 40, 1), ("LPV103", 41, 1), ("LPV103", 42, 1),
    ]


def test_hugo_blank_situation_of_the_third_earn_trust_story(findings: list[Finding]) -> None:
    assert _in(findings, HUGO) == [("LPV102", 28, 1)]
    assert [f.message for f in findings if f.path == HUGO] == [
        "story 'A time you found a problem nobody else had noticed' has a blank Situation"]


def test_journal_has_no_findings_of_any_kind(findings: list[Finding]) -> None:
    assert _in(findings, JOURNAL) == []


def test_every_principle_has_a_complete_story_and_nothing_else_is_reported(findings: list[Finding]) -> None:
    assert {f.path for f in findings} == {STACKEDIT, JEKYLL, WEAK_STRONG, HUGO}
    assert not [f for f in findings if f.code in ("LPV202", "LPV301", "LPV302", "LPV303")]
