"""The engine: severity from config, `off`, select/ignore, inline directives, paths, sorting."""
from __future__ import annotations

from pathlib import Path

import pytest

from lpvault.config import ConfigError, load_config
from lpvault.findings import Finding, Severity
from lpvault.lint import Suppressions, choose_rules, lint, lint_summary
from lpvault.model import Directive
from lpvault.pipeline import load_vault
from lpvault.rules import RULES, lookup_rule

SKELETON = "## Think Big\n- Situation:\n- Action:\n- Result:\n"
PARTIAL = "## Ownership\n- Situation: the pager was noisy\n- Action:\n- Result:\n"


def _vault(tmp_path: Path, notes: dict[str, str], config: str = ""):
    root = tmp_path / "v"
    root.mkdir()
    for name, text in notes.items():
        (root / name).write_text(text, encoding="utf-8")
    if config:
        (root / "lpvault.toml").write_text(config, encoding="utf-8")
    return load_vault(root, load_config(root))


def _codes(findings: list[Finding], path: str = "note.md") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings if f.path == path]


def test_severity_order_and_parse() -> None:
    assert Severity.ERROR > Severity.WARNING > Severity.INFO
    assert Severity.parse("Warning") is Severity.WARNING and Severity.WARNING.label == "warning"
    with pytest.raises(ValueError):
        Severity.parse("fatal")


def test_findings_sort_by_path_line_column_code() -> None:
    a = Finding("a.md", 2, 1, "LPV201", "x", Severity.INFO, "m")
    b = Finding("a.md", 10, 1, "LPV101", "x", Severity.ERROR, "m")
    c = Finding("b.md", 1, 1, "LPV101", "x", Severity.ERROR, "m")
    d = Finding("a.md", 2, 1, "LPV103", "x", Severity.ERROR, "m")
    assert sorted([c, b, d, a]) == [d, a, b, c]


def test_registry_codes_and_names_are_unique_and_documented() -> None:
    assert len({r.code for r in RULES}) == len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.summary and rule.why, f"{rule.code}: docstring needs a first line and a 'Why:' paragraph"
        assert lookup_rule(rule.code.lower()) is rule and lookup_rule(rule.name) is rule
    assert [r.code for r in RULES] == sorted(r.code for r in RULES)
    assert lookup_rule("no-such-rule") is None


def test_config_changes_severity_and_turns_rules_off(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"note.md": SKELETON + PARTIAL},
                   '[rules]\nblank-skeleton = "warning"\nLPV102 = "off"\n')
    found = lint(vault, rules=choose_rules(["LPV1"]))
    assert [(f.code, f.line, f.severity) for f in found] == [("LPV101", 2, Severity.WARNING)]


@pytest.mark.parametrize(("config", "named"), [
    ('[rules]\nLPV999 = "off"\n', "LPV999"),
    ('[rules]\nblank-skeleton = "loud"\n', "blank-skeleton"),
    ('word_budjet = 10\n', "word_budjet"),
])
def test_config_mistakes_name_the_key(tmp_path: Path, config: str, named: str) -> None:
    (tmp_path / "lpvault.toml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=named):
        load_config(tmp_path)


def test_select_and_ignore_take_codes_names_and_prefixes() -> None:
    assert [r.code for r in choose_rules(["LPV101,missing-part"])] == ["LPV101", "LPV102"]
    assert {r.code for r in choose_rules(["LPV3"])} == {"LPV301", "LPV302", "LPV303"}
    assert "LPV101" not in {r.code for r in choose_rules((), ["blank-skeleton"])}
    assert [r.code for r in choose_rules(["LPV1"], ["LPV102", "LPV103 LPV104"])] == ["LPV101", "LPV105", "LPV106", "LPV107"]
    with pytest.raises(ValueError, match="'nope'"):
        choose_rules(["nope"])


def test_paths_limit_the_report_but_links_see_the_whole_vault(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"note.md": "[[other#Real]] [[gone]]\n" + SKELETON, "other.md": "## Real\n" + SKELETON})
    assert {f.path for f in lint(vault)} >= {"note.md", "other.md"}
    found = lint(vault, paths={"note.md"})
    assert {f.path for f in found} == {"note.md"}
    assert ("LPV301", 1) in _codes(found) and len([f for f in found if f.code == "LPV301"]) == 1


def test_lint_summary_counts_by_code(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"note.md": SKELETON + "\n" + SKELETON.replace("Think Big", "Dive Deep")})
    summary = lint_summary(vault)
    assert summary["LPV101"] == 2
    assert list(summary) == sorted(summary)


# -- inline directives -----------------------------------------------------------------


TWO_STORIES = """## Think Big
{comment}
- Situation:
- Action:
- Result:

## Ownership
- Situation: the pager was noisy
- Action:
"""  # the skeleton is reported at line 3, the partial's blank Action at line 9


@pytest.mark.parametrize(("comment", "expected"), [
    ("<!-- lpvault-disable-next-line LPV101 -->", [("LPV102", 9)]),
    ("<!-- lpvault-disable-next-line blank-skeleton -->", [("LPV102", 9)]),
    ("%% lpvault-disable-next-line blank-skeleton %%", [("LPV102", 9)]),
    ("<!-- lpvault-disable-next-line -->", [("LPV102", 9)]),
    ("<!-- lpvault-disable-next-line LPV102 -->", [("LPV101", 3), ("LPV102", 9)]),
    ("<!-- lpvault-disable-next-line no-such-rule -->", [("LPV101", 3), ("LPV102", 9)]),
    ("<!-- lpvault-disable blank-skeleton -->", [("LPV102", 9)]),
    ("<!-- lpvault-disable -->", []),
    ("<!-- lpvault-disable LPV101, LPV102 -->", []),
    ("%% lpvault-disable missing-part blank-skeleton %%", []),
    ("%% a comment that names no directive %%", [("LPV101", 3), ("LPV102", 9)]),
])
def test_directives(tmp_path: Path, comment: str, expected: list[tuple[str, int]]) -> None:
    vault = _vault(tmp_path, {"note.md": TWO_STORIES.format(comment=comment)})
    assert _codes(lint(vault, rules=choose_rules(["LPV101,LPV102"]))) == expected


def test_enable_ends_a_disable(tmp_path: Path) -> None:
    text = ("<!-- lpvault-disable LPV101 -->\n" + SKELETON + "<!-- lpvault-enable LPV101 -->\n\n"
            + SKELETON.replace("Think Big", "Dive Deep"))
    vault = _vault(tmp_path, {"note.md": text})
    assert _codes(lint(vault, rules=choose_rules(["LPV101"]))) == [("LPV101", 9)]  # the second skeleton only


def test_enable_one_rule_after_disabling_all(tmp_path: Path) -> None:
    text = "%% lpvault-disable %%\n\n%% lpvault-enable missing-part %%\n\n" + SKELETON + "\n" + PARTIAL
    vault = _vault(tmp_path, {"note.md": text})
    assert _codes(lint(vault, rules=choose_rules(["LPV101,LPV102"]))) == [("LPV102", 12)]


def test_suppressions_take_effect_from_their_line() -> None:
    rules = Suppressions([Directive("disable", ("LPV201",), 5), Directive("enable", ("heading-missing-space",), 9),
                          Directive("disable-next-line", ("LPV103", "unknown-code"), 20)])
    assert [line for line in range(1, 12) if rules.covers(line, "LPV201")] == [5, 6, 7, 8]
    assert [line for line in range(18, 23) if rules.covers(line, "LPV103")] == [21]
    assert not rules.covers(21, "LPV201")
