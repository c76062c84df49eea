"""`lpvault init` and `lpvault new`: the two commands that create a user's file.

Both refuse to overwrite anything. The config written by `init` is generated
from `Config`'s defaults, so it always lists every key.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import fields
from pathlib import Path, PurePosixPath
from typing import Any

from lpvault.config import CONFIG_FILES, Config
from lpvault.obsidian import safe_file_name
from lpvault.principles import Principle
from lpvault.render import make_environment, render
from lpvault.rules import RULES

_COMMENTS = {
    "output": "Folder (inside the vault) that receives the generated index notes.",
    "principles_preset": 'Built-in principles: "amazon" (the 16 Leadership Principles) or "none".',
    "principles": "Your own principles, added to the preset:\n"
                  '[[principles]]\nname = "Widgetry Excellence"\naliases = ["Widgetry"]\n'
                  'summary = "One line in your own words."',
    "ignore": 'Glob patterns of notes to skip, relative to the vault: ["Archive/**", "*.excalidraw.md"].',
    "templates_folder": "Your note templates (skipped: their skeletons are blank on purpose). "
                        "Default: Obsidian's Templates / Templater folder.",
    "templates_dir": "Folder of Jinja2 templates overriding lpvault's principle.md.j2, hub.md.j2, story.md.j2.",
    "placeholders": "Text that counts as not written yet (rule placeholder, and blank parts).",
    "required_parts": "STAR parts a story needs to be complete (rule missing-part); add \"task\" to require it.",
    "word_budget": "Words in a three-minute answer (rule story-too-long).",
    "reuse_limit": "Principles one story may serve before rule story-reused reports it.",
    "link_style": '"wikilink" ([[Note#Heading]]) or "markdown" ([Title](Note.md#Heading)) in the index notes.',
    "labels": 'Extra labels for the STAR parts: { Context = "situation", Outcome = "result" }.',
    "max_file_size": "Notes larger than this many bytes are skipped (rule unreadable-file).",
    "rules": 'Per-rule severity: "error", "warning", "info" or "off", by code or name.',
    "debounce_ms": "How long `lpvault watch` waits for a burst of saves to end.",
}

_EXAMPLES = {"templates_folder": "Templates", "templates_dir": "lpvault templates"}  # keys whose default is unset


def config_text() -> str:
    """A commented lpvault.toml with every key at its default."""
    lines = ["# lpvault configuration: every key at its default. See `lpvault rules` for the rules.", ""]
    defaults = Config()
    keys = sorted((f.name for f in fields(Config) if f.name != "source"), key=lambda k: k == "rules")  # tables last
    for key in keys:
        lines += [f"# {text}".rstrip() for text in _COMMENTS.get(key, key).split("\n")]
        lines += _setting(key, getattr(defaults, key)) + [""]
    return "\n".join(lines)


def _setting(key: str, value: Any) -> list[str]:
    if key == "rules":
        return ["[rules]"] + [f'# {r.name} = "{r.severity.label}"  # {r.code}: {r.summary}' for r in RULES]
    if value is None:
        return [f"# {key} = {_toml(_EXAMPLES[key])}"]
    return [f"{key} = {_toml(value)}"]


def _toml(value: Any) -> str:
    """A TOML literal for the simple values Config holds (JSON strings are TOML strings)."""
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return json.dumps(value, ensure_ascii=False)


def init_config(vault: Path) -> Path:
    """Write `vault/lpvault.toml`; FileExistsError naming the config the vault already has."""
    for name in CONFIG_FILES:
        if (vault / name).exists():
            raise FileExistsError(vault / name)
    if _has_tool_section(vault / "pyproject.toml"):
        raise FileExistsError(f"{vault / 'pyproject.toml'} [tool.lpvault]")
    path = vault / CONFIG_FILES[0]
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(config_text())
    return path


def _has_tool_section(pyproject: Path) -> bool:
    try:
        return "lpvault" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def new_story(vault: Path, title: str, principle: Principle, *, templates_dir: Path | None = None,
              folder: str = "") -> Path:
    """Write a blank STAR skeleton note for `principle` named after `title`, in `folder`
    (vault-relative, made if missing); FileExistsError if a note of that name exists,
    ValueError if `folder` is not inside the vault."""
    title = " ".join(title.split())
    where = _folder_inside(vault, folder)
    path = where / f"{safe_file_name(title)}.md"
    context = {"title": title, "principle": principle.name, "tag": f"lp/{principle.slug}"}
    text = render(make_environment(templates_dir), "story.md.j2", context)
    where.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _folder_inside(vault: Path, folder: str) -> Path:
    """`vault / folder`, once it is sure to stay inside the vault (no `..`, not absolute, no
    symlink leading out)."""
    relative = PurePosixPath(folder.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"{folder!r} must be a folder inside the vault")
    where = vault / relative
    root = vault.resolve()
    if where.resolve() != root and root not in where.resolve().parents:
        raise ValueError(f"{folder!r} leads outside the vault")
    return where
