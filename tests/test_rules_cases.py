"""Every rule against its table of passing and failing snippets (tests/cases/*.yaml)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lpvault.config import load_config
from lpvault.lint import lint
from lpvault.pipeline import load_vault
from lpvault.rules import RULES, lookup_rule

CASES = Path(__file__).parent / "cases"


def _tables() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in sorted(CASES.glob("*.yaml"))]


def _cases() -> list[Any]:
    return [pytest.param(table["rule"], case, id=f"{path.stem}: {case['name']}")
            for path, table in _tables() for case in table["cases"]]


def _toml(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            raise TypeError("write tables of principles with _config_text")
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else str(value)


def _config_text(config: dict[str, Any]) -> str:
    lines = [f"{key} = {_toml(value)}" for key, value in config.items() if key != "principles"]
    for principle in config.get("principles", []):
        lines += ["[[principles]]"] + [f"{k} = {_toml(v)}" for k, v in principle.items()]
    return "\n".join(lines) + "\n"


def build_case_vault(root: Path, case: dict[str, Any]) -> Path:
    """Write a case's notes and config into `root`."""
    root.mkdir()
    (root / ".obsidian").mkdir()
    note = case["note_bytes"] if "note_bytes" in case else case["note"].encode("utf-8")
    (root / "note.md").write_bytes(note)
    for path, text in case.get("files", {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    if "config" in case:
        (root / "lpvault.toml").write_text(_config_text(case["config"]), encoding="utf-8")
    return root


def _expected(case: dict[str, Any]) -> list[tuple[str, int, int]]:
    return sorted(tuple(e) if len(e) == 3 else ("note.md", *e) for e in case["expect"])


@pytest.mark.parametrize(("name", "case"), _cases())
def test_rule_case(tmp_path: Path, name: str, case: dict[str, Any]) -> None:
    root = build_case_vault(tmp_path / "vault", case)
    vault = load_vault(root, load_config(root))
    rule = lookup_rule(name)
    found = [f for f in lint(vault) if f.code == rule.code]
    assert sorted((f.path, f.line, f.column) for f in found) == _expected(case), [f.message for f in found]
    if "message" in case:
        assert any(case["message"] in f.message for f in found), [f.message for f in found]


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    kinds: dict[str, set[bool]] = {}
    for path, table in _tables():
        rule = lookup_rule(table["rule"])
        assert rule is not None, f"{path.name}: unknown rule {table['rule']!r}"
        assert path.stem == f"{rule.code}-{rule.name}", f"{path.name}: name it {rule.code}-{rule.name}.yaml"
        kinds.setdefault(rule.name, set()).update(bool(case["expect"]) for case in table["cases"])
    for rule in RULES:
        assert kinds.get(rule.name) == {True, False}, f"{rule.code} {rule.name} needs a passing and a failing case"
