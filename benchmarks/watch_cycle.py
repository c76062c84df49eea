"""Watch cycles after saving one note: ms per cycle (p50, p95), and a check that the
in-memory index equals a full render of the same files.

    python -m benchmarks.watch_cycle /tmp/v2k [--cycles 30] [--edit append|result] [--profile]

A cycle is what `Watcher` does after a save, minus the debounce: update the model
with the saved path, render, write. `--edit append` adds a line at the end of a note
(usually no index note changes); `--edit result` puts a new token at the start of
the first Result (the excerpt changes: its principle notes are rendered and written).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from lpvault.config import load_config
from lpvault.live import LiveVault
from lpvault.pipeline import load_vault, page_renderer, render_pages
from lpvault.write import Written, write_outputs


_RESULT = re.compile(r"\bResults?(?:\*\*:|:\*\*|:)[ \t]*(?:\n- )?")  # where a Result's text starts


def edit(text: str, kind: str, cycle: int) -> str:
    """The note's text after one save."""
    found = _RESULT.search(text) if kind == "result" else None
    if found:
        return f"{text[:found.end()]}Token {cycle:04} cut costs by 5%. {text[found.end():]}"
    return text + f"\nEdit {cycle}: saved 3 hours.\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--edit", choices=("append", "result"), default="append")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "v"
        shutil.copytree(args.vault, root)
        config = load_config(root)
        model = LiveVault(root, config)
        model.rescan()
        render, written = page_renderer(root, config), Written()
        write_outputs(root, render(model.vault()), config.output, written)
        model.update(p for p in (Path(root, config.output).glob("*.md")) for p in [str(p.relative_to(root))])
        render(model.vault())  # warm
        gc.freeze()  # as Watcher does after a cycle that analysed many notes
        notes = sorted(model.analyses)
        rng = random.Random(7)
        times = []
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.cycles):
            path = rng.choice(notes)
            full = root / path
            full.write_text(edit(full.read_text(encoding="utf-8"), args.edit, i), encoding="utf-8")
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            model.update([path])
            outputs = render(model.vault())
            write_outputs(root, outputs, config.output, written)
            times.append((time.perf_counter() - start) * 1000)
            if profiler:
                profiler.disable()
        times.sort()
        p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{len(notes)} notes, {args.cycles} cycles: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms")
        expected = render_pages(root, load_vault(root, config, use_cache=False))
        print("identical to a full index:", expected == outputs)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
