"""One watch cycle after saving one note: ms per cycle (p50, p95), and a check that the
in-memory index equals a full render of the same files.

    python -m benchmarks.watch_cycle /tmp/v2k [--cycles 30] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import tempfile
import time
from pathlib import Path

from lpvault.config import load_config
from lpvault.live import LiveVault
from lpvault.pipeline import load_vault, page_renderer, render_pages
from lpvault.write import write_outputs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "v"
        shutil.copytree(args.vault, root)
        config = load_config(root)
        model = LiveVault(root, config)
        model.rescan()
        render = page_renderer(root, config)
        write_outputs(root, render(model.vault()), config.output)
        model.update(p for p in (Path(root, config.output).glob("*.md")) for p in [str(p.relative_to(root))])
        render(model.vault())  # warm
        notes = sorted(model.analyses)
        rng = random.Random(7)
        times = []
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.cycles):
            path = rng.choice(notes)
            full = root / path
            full.write_text(full.read_text(encoding="utf-8") + f"\nEdit {i}: saved 3 hours.\n", encoding="utf-8")
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            model.update([path])
            outputs = render(model.vault())
            write_outputs(root, outputs, config.output)
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
