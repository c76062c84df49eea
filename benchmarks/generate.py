"""A deterministic, realistic vault for the benchmark: `python -m benchmarks.generate OUT --notes N`.

Notes sit in folders the way people keep them (daily logs by year and month,
interview prep by company, project notes by area) and mix every style of the
seeds: StackEdit `* **Situation**:` bullets with blank skeletons, Jekyll
`**Project:** KEY. Title` lists with a reused key, `Situation:` lines over
`- ` bullets with `##Strong:` pseudo headings and `- u` placeholders, Hugo TOML
front matter with `###` question stories, and daily logs with no stories at all.
Wikilinks (some broken), tags, code fences and a few 200 KB notes are sprinkled
in. The same seed and count give the same files with the same bytes.
"""
from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from benchmarks import texts

STYLES = (("journal", 40), ("stackedit", 15), ("jekyll", 15), ("weakstrong", 15), ("hugo", 15))
LARGE_BYTES = 200_000
BROKEN_LINK_RATE = 0.1


def plan_paths(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(vault-relative path, style) of every note, in generation order."""
    names, weights = zip(*STYLES)
    styles = rng.choices(names, weights=weights, k=count)
    day = date(2014, 1, 1)
    planned = []
    for index, style in enumerate(styles):
        if style == "journal":
            day += timedelta(days=1)
            planned.append((f"Daily/{day.year}/{day.month:02}/{day.isoformat()}.md", style))
        else:
            planned.append((_story_note_path(index, style, rng), style))
    return planned


def _story_note_path(index: int, style: str, rng: random.Random) -> str:
    title = f"{texts.title(rng)} {index:05}"
    if style == "jekyll":
        return f"Projects/{rng.choice(texts.AREAS)}/{title}.md"
    if style == "hugo":
        return f"content/drafts/{title.lower().replace(' ', '-')}.md"
    return f"Interviews/{rng.choice(texts.COMPANIES)}/{title}.md"


def large_indexes(count: int, rng: random.Random) -> set[int]:
    """Which notes are grown to about 200 KB (a few: one in 2,500, at least two)."""
    return set(rng.sample(range(count), min(count, max(2, count // 2500))))


def generate(root: Path, *, notes: int, seed: int = 1, clean: bool = True) -> list[str]:
    """Write a vault of `notes` notes under `root`; return their vault-relative paths."""
    if clean and root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    planned = plan_paths(notes, rng)
    large = large_indexes(notes, rng)
    writer = texts.NoteWriter(rng, [p.rsplit("/", 1)[-1][:-3] for p, _ in planned], BROKEN_LINK_RATE)
    for index, (path, style) in enumerate(planned):
        text = writer.note(style)
        while index in large and len(text) < LARGE_BYTES:
            text += "\n" + writer.body(style)
        _write(root / path, text)
    _write_extras(root, rng)
    return [p for p, _ in planned]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_extras(root: Path, rng: random.Random) -> None:
    """What real vaults also hold: Obsidian settings, a template folder, attachments."""
    _write(root / ".obsidian" / "app.json", '{"useMarkdownLinks": false}\n')
    _write(root / ".obsidian" / "templates.json", '{"folder": "Templates"}\n')
    _write(root / "Templates" / "STAR story.md", texts.skeleton_template())
    for number in range(20):
        image = root / "attachments" / f"diagram-{number:02}.png"
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(bytes(rng.getrandbits(8) for _ in range(512)))


def main(argv: list[str] | None = None) -> int:
    """Command line: write the vault and say how big it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    paths = generate(args.out, notes=args.notes, seed=args.seed)
    size = sum((args.out / p).stat().st_size for p in paths)
    print(f"{len(paths)} notes, {size / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
