"""Findings as text, JSON or GitHub workflow annotations, and their statistics."""
from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import click

from lpvault.findings import Finding, Severity

if TYPE_CHECKING:  # the rules (and what they import) are loaded only by a lint that runs them
    from lpvault.rules.base import Rule

FORMATS = ("text", "json", "github")
_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_findings(findings: Sequence[Finding], fmt: str, *, colour: bool = True) -> str:
    """All findings in one of FORMATS ('' for text with nothing to say); text is coloured
    only with `colour` (a terminal: styling tens of thousands of lines for a pipe, for
    click to strip again, costs more than the rest of a warm run)."""
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(_github(f) + "\n" for f in findings)
    render = _text if colour else _plain_text
    return "".join(render(f) + "\n" for f in findings)


def _plain_text(finding: Finding) -> str:
    """`path:line:col: severity CODE message`."""
    return (f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.label} {finding.code} "
            f"{finding.message}")


def _text(finding: Finding) -> str:
    """`_plain_text` with the severity and code coloured by severity and the path in bold."""
    level = click.style(f"{finding.severity.label} {finding.code}", fg=_COLOURS[finding.severity],
                        bold=finding.severity is Severity.ERROR)
    return f"{click.style(finding.path, bold=True)}:{finding.line}:{finding.column}: {level} {finding.message}"


def _github(finding: Finding) -> str:
    """A workflow command: `::warning file=...,line=...,col=...,title=...::message`."""
    props = {"file": finding.path, "line": finding.line, "col": finding.column,
             "title": f"{finding.code} {finding.rule}"}
    joined = ",".join(f"{key}={_escape(str(value), prop=True)}" for key, value in props.items())
    return f"::{_GITHUB_LEVEL[finding.severity]} {joined}::{_escape(finding.message)}"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings there are of each severity."""
    return dict(Counter(f.severity for f in findings))


def summary_line(counts: Mapping[Severity, int]) -> str:
    """`12 findings: 1 error, 10 warnings, 1 info` (the severities present, most severe first)."""
    total = sum(counts.values())
    parts = [f"{n} {s.label}{'s' if n != 1 and s is not Severity.INFO else ''}"
             for s in sorted(Severity, reverse=True) for n in [counts.get(s, 0)] if n]
    return f"{total} finding{'s' if total != 1 else ''}" + (f": {', '.join(parts)}" if parts else "")


def statistics(findings: Iterable[Finding]) -> str:
    """flake8's `--statistics`: count, code and rule per rule (the summary line follows them)."""
    per_rule = Counter((f.code, f.rule) for f in findings)
    return "".join(f"{count:<5} {code} {name}\n" for (code, name), count in sorted(per_rule.items()))


def rules_table(rules: Sequence[Rule], fmt: str = "text") -> str:
    """The rule catalog: aligned columns (code, name, severity, summary), or the
    README's Markdown table, which adds each rule's "Why"."""
    if fmt == "markdown":
        rows = ["| code | name | severity | what it reports | why it matters |", "| --- | --- | --- | --- | --- |"]
        rows += [f"| {r.code} | `{r.name}` | {r.severity.label} | {_cell(r.summary)} | {_cell(r.why)} |" for r in rules]
        return "\n".join(rows) + "\n"
    width = max(len(r.name) for r in rules)
    return "".join(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n" for r in rules)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
