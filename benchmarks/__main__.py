"""The benchmark: `python -m benchmarks --notes 10000 --runs 3`.

Generates a vault (benchmarks/generate.py) into benchmarks/out/, measures the
floors (walk and stat every file, read every note, parse every note with
mistune in one process) and then the installed `lpvault` command on that same
vault: index cold, warm, after a touch and after edits; lint cold and warm;
watch start-up and save-to-index latency. Prints medians of --runs runs, each
as a ratio to its floor, the peak memory of each command, and which of the
speed goals of issue #5 hold. Commands run with bytecode caching on (as an
installed tool runs), after one untimed run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from benchmarks import generate, measure, watchbench
from benchmarks.report import Row, print_report

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    """Run everything and print the table."""
    args = _arguments(argv)
    root = args.out / f"vault-{args.notes}"
    paths = generate.generate(root, notes=args.notes, seed=args.seed)
    bench = Bench(root, paths, args.runs)
    bench.warm_up()
    rows = bench.floors() + bench.index_rows() + bench.lint_rows()
    if not args.no_watch:
        rows += bench.watch_rows(args.saves)
    facts = bench.facts(args)
    print_report(facts, rows)
    if args.json:
        args.json.write_text(json.dumps({"facts": facts, "rows": [r.as_dict() for r in rows]}, indent=2) + "\n")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000, help="notes in the generated vault (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure; the median is shown (default 3)")
    parser.add_argument("--saves", type=int, default=50, help="saves timed in watch (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT, help="where the vault is generated (default benchmarks/out)")
    parser.add_argument("--no-watch", action="store_true", help="skip the watch measures")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


class Bench:
    """The generated vault and the commands measured on it."""

    def __init__(self, root: Path, paths: list[str], runs: int) -> None:
        self.root, self.runs, self.paths = root, runs, paths
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        script = Path(sys.executable).with_name("lpvault")
        self.lpvault = [str(script)] if script.exists() else [sys.executable, "-m", "lpvault"]
        self.stories = sorted(p for p in paths if not p.startswith("Daily/"))  # notes that are edited
        self.floor: dict[str, float] = {}
        self.picked = 0

    def command(self, *args: str) -> Callable[[], measure.Run]:
        """A measured run of `lpvault ARGS VAULT`."""
        return lambda: measure.run([*self.lpvault, *args, str(self.root)], env=self.env)

    def repeat(self, prepare: Callable[[int], None], *args: str) -> measure.Run:
        """The median of `runs` runs of `lpvault ARGS VAULT`, each after `prepare(run)`."""
        return measure.median(measure.repeat(self.runs, prepare, self.command(*args)))

    def warm_up(self) -> None:
        """One untimed run: bytecode compiled, the index notes exist (the steady state)."""
        self.command("index")()

    def floors(self) -> list[Row]:
        """The three floors, each the median of `runs` fresh processes."""
        rows = []
        for kind, label in (("stat", "walk + stat every file"), ("read", "read every note"),
                            ("parse", "mistune parse of every note, 1 process")):
            times = [float(subprocess.run([sys.executable, "-m", "benchmarks.floors", kind, str(self.root)],
                                          env=self.env, check=True, capture_output=True, text=True).stdout)
                     for _ in range(self.runs)]
            self.floor[kind] = sorted(times)[len(times) // 2]
            rows.append(Row(f"floor: {label}", self.floor[kind], None, None))
        return rows

    def row(self, label: str, result: measure.Run, floor: str) -> Row:
        """A measured row with its ratio to the named floor."""
        return Row(label, result.seconds, (result.seconds / self.floor[floor], floor), result.peak_mib, result.cpu)

    def index_rows(self) -> list[Row]:
        """index: cold (parallel and one process), warm, touched, edited."""
        cold = self.repeat(self._forget_cache, "index")
        serial = self.repeat(self._forget_cache, "index", "--jobs", "1")
        self.command("index")()  # the cache as the last cold run left it, in the steady state
        warm = self.repeat(_nothing, "index")
        touched = self.repeat(lambda n: os.utime(self.root / self._pick(1, n)[0]), "index")
        edited = self.repeat(lambda n: self._edit(self._pick(1, n)), "index")
        many = self.repeat(lambda n: self._edit(self._pick(100, n)), "index")
        return [self.row("index, cold (no cache)", cold, "parse"),
                self.row("index, cold, --jobs 1", serial, "parse"),
                self.row("index, warm (nothing changed)", warm, "stat"),
                self.row("index, 1 note touched (same bytes)", touched, "stat"),
                self.row("index, 1 note edited", edited, "stat"),
                self.row("index, 100 notes edited", many, "stat")]

    def lint_rows(self) -> list[Row]:
        """lint: cold and warm."""
        cold = self.repeat(self._forget_cache, "lint")
        self.command("lint")()
        warm = self.repeat(_nothing, "lint")
        return [self.row("lint, cold (no cache)", cold, "parse"), self.row("lint, warm (nothing changed)", warm, "stat")]

    def watch_rows(self, saves: int) -> list[Row]:
        """watch: start-up to ready (with the cache warm), p50 and p95 save-to-index latency."""
        figures = watchbench.measure_watch(self.root, [*self.lpvault, "watch", str(self.root)], self.env, saves)
        self.saves = saves
        rows = [Row("watch, start-up to ready", figures.startup, (figures.startup / self.floor["parse"], "parse"), None)]
        for share in (0.5, 0.95):
            value = figures.percentile(share)
            rows.append(Row(f"watch, save -> index note, p{round(share * 100)}", value, None, None))
        return rows

    def _forget_cache(self, run: int) -> None:
        shutil.rmtree(self.root / ".lpvault", ignore_errors=True)

    def _pick(self, count: int, run: int) -> list[str]:
        """`count` story notes, different ones on every run (and for every measure)."""
        self.picked += count
        return [self.stories[(self.picked - count + i) % len(self.stories)] for i in range(count)]

    def _edit(self, paths: list[str]) -> None:
        """A real edit: one more line at the end of each note."""
        for path in paths:
            with open(self.root / path, "a", encoding="utf-8") as handle:
                handle.write("\nEdited by the benchmark: 12% fewer pages.\n")

    def facts(self, args: argparse.Namespace) -> dict[str, Any]:
        """What the figures were measured on."""
        size = sum((self.root / path).stat().st_size for path in self.paths)
        return {"notes": args.notes, "megabytes": round(size / 1e6, 1), "runs": args.runs, "seed": args.seed,
                "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                "python": platform.python_version(), "load": _load(), "floors": self.floor,
                "note_parse": self.floor.get("parse", 0) / max(args.notes, 1), "saves": args.saves}


def _nothing(run: int) -> None:
    pass


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
