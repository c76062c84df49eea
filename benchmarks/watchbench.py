"""`lpvault watch` timed from outside: start-up to its ready line, and save-to-index latency.

A probe note holds one complete Dive Deep story whose Result carries a
four-digit token. Each save writes the next token (same size, so only the
content tells); the latency runs from the end of the write until the Dive
Deep index note holds the token (its excerpt of the Result), found by
stat-ing the index note every POLL_SECONDS and reading it when it changed.
"""
from __future__ import annotations

import os
import queue
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROBE = "Benchmark probe.md"
PROBE_TEXT = """## Dive Deep

### Benchmark probe story
- Situation: the watcher needed a note to be timed with.
- Action: I saved this note again and again.
- Result: token {token:04} reached the index 100% of the time.
"""
INDEX_NOTE = "LP Index/Dive Deep.md"
READY = "[watch] watching"
POLL_SECONDS = 0.001
TIMEOUT_SECONDS = 600.0  # a cold start-up on a large vault takes a while


@dataclass(frozen=True)
class WatchFigures:
    """Start-up seconds and per-save latencies in seconds (None: the index never showed it)."""

    startup: float
    latencies: list[float | None]

    def percentile(self, share: float) -> float | None:
        """The `share` quantile of the latencies (None when any save timed out)."""
        if not self.latencies or any(x is None for x in self.latencies):
            return None
        ordered = sorted(x for x in self.latencies if x is not None)
        return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def write_probe(root: Path, token: int) -> None:
    """The probe note with `token` in its Result."""
    (root / PROBE).write_text(PROBE_TEXT.format(token=token), encoding="utf-8")


def measure_watch(root: Path, command: list[str], env: dict[str, str], saves: int) -> WatchFigures:
    """Start `command` (lpvault watch ROOT), wait until ready, then time `saves` saves of the probe."""
    write_probe(root, 0)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
    try:
        _wait_for_line(proc, lines, READY)
        startup = time.perf_counter() - started
        latencies = [_one_save(root, token) for token in range(1, saves + 1)]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        (root / PROBE).unlink(missing_ok=True)
    return WatchFigures(startup, latencies)


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    for line in proc.stdout or ():
        lines.put(line)


def _wait_for_line(proc: subprocess.Popen[str], lines: queue.Queue[str], wanted: str) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if wanted in line:
            return
    raise RuntimeError(f"watch never printed {wanted!r}: {''.join(seen)[-2000:]}")


def _one_save(root: Path, token: int) -> float | None:
    """Seconds from a save of the probe to the index note showing its token."""
    index = root / INDEX_NOTE
    wanted = f"token {token:04}".encode()
    time.sleep(0.2)  # let the previous cycle finish: saves one by one, as a person makes them
    last = _stamp(index)
    write_probe(root, token)
    saved = time.perf_counter()
    while time.perf_counter() - saved < 10:
        stamp = _stamp(index)
        if stamp != last:
            last = stamp
            if wanted in index.read_bytes():
                return time.perf_counter() - saved
        time.sleep(POLL_SECONDS)
    return None


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def main() -> None:
    """`python -m benchmarks.watchbench VAULT [--saves N]`: the watch rows alone, on a copy of VAULT."""
    import argparse
    import shutil
    import sys
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m benchmarks.watchbench", description=main.__doc__)
    parser.add_argument("vault", type=Path)
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("lpvault")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lpvault"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        shutil.copytree(args.vault, root, symlinks=True)
        figures = measure_watch(root, [*command, "watch", str(root)], env, args.saves)
    ms = {share: figures.percentile(share) for share in (0.5, 0.95)}
    shown = {share: "timed out" if value is None else f"{value * 1000:.0f} ms" for share, value in ms.items()}
    print(f"{args.vault}: start-up {figures.startup:.1f} s; save -> index note p50 {shown[0.5]}, "
          f"p95 {shown[0.95]} ({args.saves} saves)")


if __name__ == "__main__":
    main()
