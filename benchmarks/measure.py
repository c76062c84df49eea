"""Run a command and measure it: wall time, and peak memory of its whole process tree.

CPU time is that of the command and the workers it waited for: on a machine
whose cores are busy with other work it tells what wall time would be with
them free. Peak memory is the larger of two readings: the peak resident size of the
largest single process (getrusage through wait4), and the peak of the summed
proportional set size (PSS, so pages shared by forked workers count once) of
the command and all its descendants, sampled every SAMPLE_SECONDS from /proc.
The second reading needs Linux; elsewhere only the first is taken.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

SAMPLE_SECONDS = 0.02
MIB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    """One run of a command."""

    seconds: float
    peak_mib: float
    code: int
    cpu: float = 0.0  # user + system seconds of the command and every process it waited for


def run(command: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run `command` to its end, output discarded; time it and take its peak memory."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here, with its resource usage
        seconds = time.perf_counter() - started
        sampler.stop()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1: findings, or an index that changed
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed ({code}): {errors.read()[-2000:].decode(errors='replace')}")
    peak = max(usage.ru_maxrss * 1024, sampler.peak) / MIB
    return Run(seconds, peak, code, usage.ru_utime + usage.ru_stime)


def repeat(times: int, prepare: Callable[[int], None], command: Callable[[], Run]) -> list[Run]:
    """`times` runs of `command`, each after `prepare(run_number)` (untimed)."""
    runs = []
    for number in range(times):
        prepare(number)
        runs.append(command())
    return runs


def median(runs: Sequence[Run]) -> Run:
    """The median time (wall and CPU) and the largest peak of several runs."""
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs), runs[-1].code,
               statistics.median(r.cpu for r in runs))


class _Sampler(threading.Thread):
    """Samples the summed PSS of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, sum(_pss(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; just `pid` elsewhere)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _pss(pid: int) -> int:
    """Proportional set size of `pid` in bytes (0 when it is gone or unknown)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
