"""`lpvault lint`, `rules`, `init` and `new` through click's runner, and lint through the installed command."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lpvault.cli import main
from lpvault.config import Config, load_config
from lpvault.lint_format import rules_table
from lpvault.rules import RULES

from conftest import ROOT, SEED_FIXTURES, copy_vault

SKELETON = "## Think Big\n- Situation:\n- Action:\n- Result:\n"
NOTES = {
    "b.md": "## Ownership\n- Situation: the pager was noisy\n- Action:\n- Result: 3 fewer pages\n",
    "a.md": SKELETON + "\n##Weak:\nsee [[b#Ownership]] and [[gone]]\n",
    "sub/c.md": "## Dive Deep\nSituation: a leak\nAction: we traced it\nResult: it was fixed\n",
}
TEXT = """\
a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or delete it
a.md:6:1: warning LPV201 '##' needs a space after it to make a heading: '## Weak:'
a.md:7:25: warning LPV301 [[gone]]: no note or file named 'gone'
b.md:3:1: warning LPV102 story 'Ownership' has a blank Action
sub/c.md:3:1: info LPV105 the Action of story 'Dive Deep' has more "we" (1) than "I" (0): say what you did
sub/c.md:4:1: info LPV104 the Result of story 'Dive Deep' has no number or measurable outcome
"""
SUMMARY = "6 findings: 1 error, 3 warnings, 2 info\n"
NOT_VAULT_RULES = ("--ignore", "principle-without-story")


def make_vault(root: Path, notes: dict[str, str] = NOTES, marker: str = ".obsidian") -> Path:
    for path, text in notes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    if marker:
        (root / marker).mkdir(exist_ok=True) if not marker.endswith(".toml") else (root / marker).write_text("")
    return root


def run(*args: str, color: bool = False) -> Result:
    return CliRunner().invoke(main, list(args), color=color)


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(make_vault(tmp_path))
    return tmp_path


# -- lint ------------------------------------------------------------------------------------


def test_text_output_is_sorted_by_path_and_line(vault: Path) -> None:
    result = run("lint", *NOT_VAULT_RULES)
    assert (result.exit_code, result.stdout) == (1, TEXT + SUMMARY)
    quiet = run("lint", *NOT_VAULT_RULES, "--quiet")
    assert (quiet.exit_code, quiet.stdout) == (1, TEXT)


def test_paths_are_shown_relative_to_the_current_folder(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(vault.parent)
    result = run("lint", vault.name, *NOT_VAULT_RULES, "--select", "LPV101")
    assert result.stdout == (f"{vault.name}/a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: "
                             "fill it in or delete it\n1 finding: 1 error\n")


@pytest.mark.parametrize(("fail_on", "select", "code"), [
    ("error", "LPV1", 1), ("error", "LPV102,LPV104", 0), ("warning", "LPV102", 1),
    ("warning", "LPV104", 0), ("info", "LPV104", 1), ("info", "LPV203", 0),
])
def test_exit_code_follows_fail_on(vault: Path, fail_on: str, select: str, code: int) -> None:
    assert run("lint", "--fail-on", fail_on, "--select", select).exit_code == code


def test_json_output(vault: Path) -> None:
    result = run("lint", "--format", "json", "--select", "LPV101,broken-link")
    assert json.loads(result.stdout) == [
        {"path": "a.md", "line": 2, "column": 1, "code": "LPV101", "rule": "blank-skeleton", "severity": "error",
         "message": "story 'Think Big' is a blank STAR skeleton: fill it in or delete it"},
        {"path": "a.md", "line": 7, "column": 25, "code": "LPV301", "rule": "broken-link", "severity": "warning",
         "message": "[[gone]]: no note or file named 'gone'"},
    ]
    assert run("lint", "--format", "json", "--select", "LPV203").stdout == "[]\n"


def test_github_annotations(vault: Path) -> None:
    result = run("lint", "--format", "github", "--select", "LPV101,LPV102,LPV104")
    assert result.stdout.splitlines() == [
        "::error file=a.md,line=2,col=1,title=LPV101 blank-skeleton::"
        "story 'Think Big' is a blank STAR skeleton: fill it in or delete it",
        "::warning file=b.md,line=3,col=1,title=LPV102 missing-part::story 'Ownership' has a blank Action",
        "::notice file=sub/c.md,line=4,col=1,title=LPV104 result-without-metric::"
        "the Result of story 'Dive Deep' has no number or measurable outcome",
    ]


def test_select_ignore_by_code_name_and_prefix(vault: Path) -> None:
    codes = lambda *a: [line.split()[2] for line in run("lint", "-q", *a).stdout.splitlines()]  # noqa: E731
    assert codes("--select", "LPV2", "--select", "blank-skeleton") == ["LPV101", "LPV201"]
    assert codes("--select", "LPV1", "--ignore", "LPV101,we-not-i") == ["LPV102", "LPV104"]


def test_unknown_rule_in_select_is_a_usage_error(vault: Path) -> None:
    result = run("lint", "--select", "LPV101,blank-skeletons")
    assert result.exit_code == 2 and "unknown rule 'blank-skeletons'" in result.output


@pytest.mark.parametrize(("config", "named"), [
    ('[rules]\nLPV999 = "off"\n', "LPV999"), ('wrod_budget = 3\n', "wrod_budget"),
    ('[rules]\nbroken-link = "fatal"\n', "broken-link"),
])
def test_config_errors_exit_2_naming_the_key(vault: Path, config: str, named: str) -> None:
    (vault / "lpvault.toml").write_text(config, encoding="utf-8")
    result = run("lint")
    assert result.exit_code == 2 and named in result.output


def test_config_severity_and_off(vault: Path) -> None:
    (vault / "lpvault.toml").write_text('[rules]\nLPV101 = "info"\nbroken-link = "off"\n', encoding="utf-8")
    result = run("lint", "--select", "LPV101,LPV301", "--format", "json")
    assert [(f["code"], f["severity"]) for f in json.loads(result.stdout)] == [("LPV101", "info")]
    assert result.exit_code == 0


def test_statistics(vault: Path) -> None:
    result = run("lint", *NOT_VAULT_RULES, "--statistics")
    assert result.stdout == TEXT + (
        "1     LPV101 blank-skeleton\n1     LPV102 missing-part\n1     LPV104 result-without-metric\n"
        "1     LPV105 we-not-i\n1     LPV201 heading-missing-space\n1     LPV301 broken-link\n"
        + SUMMARY)
    as_json = run("lint", *NOT_VAULT_RULES, "--statistics", "--format", "json")
    assert len(json.loads(as_json.stdout)) == 6 and as_json.stderr.endswith("\n" + SUMMARY)
    assert run("lint", *NOT_VAULT_RULES, "--format", "github").stderr == ""


def test_colours_only_when_asked_for_a_terminal(vault: Path) -> None:
    plain = run("lint", "--select", "LPV101").stdout
    assert plain == "a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or delete it\n" \
                    "1 finding: 1 error\n"
    coloured = run("lint", "--select", "LPV101", color=True).stdout
    assert "\x1b[" not in plain and "\x1b[31m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


# -- files, as pre-commit passes them ---------------------------------------------------------


def test_files_are_reported_alone_but_links_resolve_against_the_vault(vault: Path) -> None:
    result = run("lint", "a.md", "--select", "broken-link,LPV101")
    assert result.stdout == ("a.md:2:1: error LPV101 story 'Think Big' is a blank STAR skeleton: fill it in or "
                             "delete it\na.md:7:25: warning LPV301 [[gone]]: no note or file named 'gone'\n"
                             "2 findings: 1 error, 1 warning\n")  # [[b#Ownership]] resolves


def test_files_in_a_subfolder_find_the_vault_root(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (vault / "sub" / "d.md").write_text("[[a#Think Big]] [[b]] [[nope]]\n", encoding="utf-8")
    monkeypatch.chdir(vault / "sub")
    result = run("lint", "d.md", "c.md", "--select", "LPV301,LPV104")
    assert result.stdout == ("c.md:4:1: info LPV104 the Result of story 'Dive Deep' has no number or measurable "
                             "outcome\nd.md:1:23: warning LPV301 [[nope]]: no note or file named 'nope'\n"
                             "2 findings: 1 warning, 1 info\n")


@pytest.mark.parametrize("marker", ["lpvault.toml", ".lpvault.toml", ".git", ".obsidian"])
def test_each_root_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    root = make_vault(tmp_path / "vault", {"x.md": "[[y]]\n", "deep/er/y.md": "# y\n"}, marker=marker)
    monkeypatch.chdir(root / "deep")
    assert run("lint", "er/y.md", "../x.md", "--select", "LPV301").stdout == "0 findings\n"


def test_without_a_marker_the_current_folder_is_the_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "plain", {"x.md": "[[y]] [[z]]\n", "deep/y.md": "# y\n"}, marker="")
    monkeypatch.chdir(root)
    assert run("lint", "x.md", "--select", "LPV301", "-q").stdout == \
        "x.md:1:7: warning LPV301 [[z]]: no note or file named 'z'\n"


def test_a_folder_among_files_reports_its_notes(vault: Path) -> None:
    result = run("lint", "sub", "b.md", "--select", "LPV1", "--quiet")
    assert sorted({line.split(":")[0] for line in result.stdout.splitlines()}) == ["b.md", "sub/c.md"]


def test_a_missing_file_is_a_usage_error(vault: Path) -> None:
    assert run("lint", "nope.md").exit_code == 2


def test_installed_command_on_the_seed_fixtures(tmp_path: Path) -> None:
    root = copy_vault(SEED_FIXTURES, tmp_path / "seeds")
    command = shutil.which("lpvault")
    assert command, "the lpvault console script is installed"
    done = subprocess.run([command, "lint", "lp-hugo-behavioral.md", "journal-first-year-sr-director.md"],
                          capture_output=True, text=True, timeout=120, cwd=root)
    assert (done.returncode, done.stdout) == (0, "lp-hugo-behavioral.md:28:1: warning LPV102 story 'A time you "
                                                 "found a problem nobody else had noticed' has a blank Situation\n"
                                                 "1 finding: 1 warning\n")
    errors = subprocess.run([command, "lint", str(root), "--format", "json"], capture_output=True, text=True,
                            timeout=120)
    assert errors.returncode == 1
    assert sum(f["code"] == "LPV101" for f in json.loads(errors.stdout)) == 10


# -- rules, README ---------------------------------------------------------------------------


def test_rules_lists_the_catalog() -> None:
    lines = run("rules").stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [[r.code, r.name, r.severity.label] for r in RULES]
    assert lines[0].endswith("Blank STAR skeleton: the story has part labels but every part is empty.")


def test_readme_rule_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- rules:begin -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert found, "README.md needs <!-- rules:begin --> ... <!-- rules:end -->"
    assert found.group(1) == rules_table(RULES, "markdown"), "run `lpvault rules --format markdown` into the README"
    assert run("rules", "--format", "markdown").stdout == rules_table(RULES, "markdown")


def test_readme_documents_every_config_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration"):]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    assert documented == {f for f in Config.__dataclass_fields__ if f != "source"}


# -- init, new -------------------------------------------------------------------------------


def test_init_writes_every_key_at_its_default_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = run("init", str(tmp_path))
    assert result.exit_code == 0
    text = (tmp_path / "lpvault.toml").read_text(encoding="utf-8")
    unset = {"templates_folder", "templates_dir"}  # no default value: shown commented out
    assert set(tomllib.loads(text)) | unset == {f for f in Config.__dataclass_fields__ if f != "source"}
    assert '\n# templates_folder = "Templates"\n' in text and '\n# templates_dir = "lpvault templates"\n' in text
    assert load_config(tmp_path) == Config(source="lpvault.toml")
    assert all(f"# {r.name} = \"{r.severity.label}\"" in text for r in RULES)
    again = run("init", str(tmp_path))
    assert again.exit_code == 1 and "already exists" in again.output
    assert (tmp_path / "lpvault.toml").read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("name", "text"), [(".lpvault.toml", "word_budget = 300\n"),
                                            ("pyproject.toml", "[tool.lpvault]\nword_budget = 300\n")])
def test_init_refuses_when_the_vault_has_a_config(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1 and f"{name}" in result.output and "already exists" in result.output
    assert not (tmp_path / "lpvault.toml").exists()


def test_init_beside_a_pyproject_without_our_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    assert run("init", str(tmp_path)).exit_code == 0


def test_new_writes_a_skeleton_that_lint_reports(vault: Path) -> None:
    result = run("new", "Cut tickets: by a third?", "--principle", "customer obsession")
    path = vault / "Cut tickets - by a third.md"
    assert (result.exit_code, result.output) == (0, f"wrote {Path('.') / path.name}\n")
    assert path.read_text(encoding="utf-8") == (
        '---\nprinciples:\n  - "Customer Obsession"\ntags:\n  - "lp/customer-obsession"\n---\n'
        "# Cut tickets: by a third?\n\n- **Situation:** \n- **Task:** \n- **Action:** \n- **Result:** \n\n"
        "**Reflection:** \n")
    lint = run("lint", path.name, "--format", "json")
    assert [(f["code"], f["line"]) for f in json.loads(lint.stdout)] == [("LPV101", 9)]  # LPV302: the vault's
    again = run("new", "Cut tickets: by a third?", "--principle", "Customer Obsession")
    assert again.exit_code == 1 and "already exists" in again.output


def test_new_with_an_unknown_principle_suggests_one(vault: Path) -> None:
    result = run("new", "Title", "--principle", "Invent and Simplfy")
    assert result.exit_code == 2 and "did you mean 'Invent and Simplify'?" in result.output
    assert not (vault / "Title.md").exists()


def test_new_uses_the_vaults_template_override(vault: Path) -> None:
    (vault / "tpl").mkdir()
    (vault / "tpl" / "story.md.j2").write_text("# {{ title }} for {{ principle }}\n", encoding="utf-8")
    (vault / "lpvault.toml").write_text('templates_dir = "tpl"\n', encoding="utf-8")
    assert run("new", "Mine", "-p", "Ownership", "--vault", str(vault)).exit_code == 0
    assert (vault / "Mine.md").read_text(encoding="utf-8") == "# Mine for Ownership\n"
