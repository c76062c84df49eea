"""The benchmark's table, and the goals of issue #5 checked against it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

GOAL_WATCH_P95 = 0.150
GOAL_COLD_MEMORY_MIB = 200.0


@dataclass(frozen=True)
class Row:
    """One line of the table: seconds (None: not measured), ratio to a floor, peak memory."""

    label: str
    seconds: float | None
    ratio: tuple[float, str] | None
    peak_mib: float | None
    cpu: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON data."""
        return {"label": self.label, "seconds": self.seconds, "ratio": self.ratio, "peak_mib": self.peak_mib,
                "cpu": self.cpu}

    def line(self) -> str:
        """The row as a Markdown table line."""
        seconds = "timed out" if self.seconds is None else f"{self.seconds:.3f}"
        ratio = f"{self.ratio[0]:.2f} x {self.ratio[1]}" if self.ratio else ""
        peak = f"{self.peak_mib:.0f}" if self.peak_mib is not None else ""
        cpu = f"{self.cpu:.2f}" if self.cpu is not None else ""
        return f"| {self.label} | {seconds} | {ratio} | {cpu} | {peak} |"


def print_report(facts: dict[str, Any], rows: list[Row]) -> None:
    """The table (Markdown, ready for the README) and the goals."""
    print(f"\n{facts['notes']} notes ({facts['megabytes']} MB), seed {facts['seed']}; {facts['cores']} cores; "
          f"Python {facts['python']}; median of {facts['runs']} runs; load average {facts['load']}\n")
    print("| measure | seconds | ratio to floor | CPU s | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row.line())
    print()
    for line in goal_lines(facts, {row.label: row for row in rows}):
        print(line)


def goal_lines(facts: dict[str, Any], rows: dict[str, Row]) -> list[str]:
    """One line per goal: holds or misses, with the figures."""
    floors = facts["floors"]
    stat, parse = floors["stat"], floors["parse"]
    goals: list[tuple[str, str, Callable[[float], bool], str]] = [
        ("index, cold (no cache)", "cold index <= 0.7 x parse floor", lambda s: s <= 0.7 * parse, f"{0.7 * parse:.3f}s"),
        ("index, warm (nothing changed)", "warm index <= 4 x stat floor", lambda s: s <= 4 * stat, f"{4 * stat:.3f}s"),
        ("lint, warm (nothing changed)", "warm lint <= 4 x stat floor", lambda s: s <= 4 * stat, f"{4 * stat:.3f}s"),
        ("index, 1 note edited", "1 note edited <= 4 x stat floor + its parse",
         lambda s: s <= 4 * stat + facts["note_parse"], f"{4 * stat + facts['note_parse']:.3f}s"),
        ("watch, save -> index note, p95", "watch p95 < 150 ms", lambda s: s < GOAL_WATCH_P95, "0.150s"),
    ]
    lines = []
    for label, goal, holds, budget in goals:
        row = rows.get(label)
        if row is not None:
            verdict = "holds" if row.seconds is not None and holds(row.seconds) else "MISSES"
            shown = "timed out" if row.seconds is None else f"{row.seconds:.3f}s"
            lines.append(f"- {goal}: {verdict} ({shown}; budget {budget})")
    cold = rows.get("index, cold (no cache)")
    if cold is not None and cold.peak_mib is not None:
        verdict = "holds" if cold.peak_mib < GOAL_COLD_MEMORY_MIB else "MISSES"
        lines.append(f"- cold index peak memory < 200 MiB: {verdict} ({cold.peak_mib:.0f} MiB)")
    return lines
