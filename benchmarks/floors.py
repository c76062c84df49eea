"""The floors every figure is compared with, each run in a fresh process: `python -m benchmarks.floors KIND VAULT`.

- stat: walk the vault (hidden folders skipped, as lpvault does) and stat every file;
- read: read every note's bytes;
- parse: parse every note once with mistune, full AST, with the options lpvault uses
  (see lpvault/blocks.py), in one process; reading and decoding are not timed.

Only the operation itself is timed (not the interpreter's start-up nor imports),
so the floors are as low as they can be. Prints the seconds.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def walk(root: Path) -> list[str]:
    """Every file under `root` outside hidden folders, each one stat-ed."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = os.path.join(folder, name)
            os.stat(path)
            found.append(path)
    return found


def notes(root: Path) -> list[str]:
    """Every note's path (untimed)."""
    return [p for p in walk(root) if p.endswith(".md")]


def read_all(paths: list[str]) -> list[bytes]:
    """Every note's bytes."""
    out = []
    for path in paths:
        with open(path, "rb") as handle:
            out.append(handle.read())
    return out


def parse_all(markdown: object, texts: list[str]) -> None:
    """Parse every text once (block and inline: the full AST)."""
    for text in texts:
        markdown(text)  # type: ignore[operator]


def measure(kind: str, root: Path) -> float:
    """Seconds the floor `kind` takes on the vault at `root`."""
    if kind == "stat":
        started = time.perf_counter()
        walk(root)
        return time.perf_counter() - started
    paths = notes(root)
    if kind == "read":
        started = time.perf_counter()
        read_all(paths)
        return time.perf_counter() - started
    texts = [data.decode("utf-8", "replace") for data in read_all(paths)]
    import mistune

    markdown = mistune.create_markdown(renderer=None, plugins=["table"])  # the options of lpvault/blocks.py
    started = time.perf_counter()
    parse_all(markdown, texts)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"{measure(sys.argv[1], Path(sys.argv[2])):.6f}")
