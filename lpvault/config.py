"""Find, load and validate the vault's configuration.

Defaults < `lpvault.toml` / `.lpvault.toml` / `[tool.lpvault]` in `pyproject.toml`
< command line, merged once. Every key and type is checked at load time; a
mistake raises ConfigError naming the key and what was expected.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

STAR_PARTS = ("situation", "task", "action", "result")  # the parts of a STAR story, in order


CONFIG_FILES = ("lpvault.toml", ".lpvault.toml")
HUB_NOTE = "Leadership Principles"  # index.HUB_NAME: no principle may take its name (or its file)
SEVERITIES = ("error", "warning", "info", "off")
DEFAULT_PLACEHOLDERS = ("u", "x", "?", "...", "…", "TODO", "TBD", "FIXME", "lorem", "lorem ipsum")


class ConfigError(Exception):
    """A configuration mistake; the message names the key."""


@dataclass(frozen=True)
class Config:
    """Every setting, at its default unless the vault or the command line says otherwise."""

    output: str = "LP Index"
    principles_preset: str = "amazon"
    principles: tuple[Mapping[str, Any], ...] = ()
    ignore: tuple[str, ...] = ()
    templates_folder: str | None = None
    templates_dir: str | None = None
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    required_parts: tuple[str, ...] = ("situation", "action", "result")
    word_budget: int = 450
    reuse_limit: int = 3
    link_style: str = "wikilink"
    labels: Mapping[str, str] = field(default_factory=dict)
    max_file_size: int = 8 * 1024 * 1024
    rules: Mapping[str, str] = field(default_factory=dict)
    debounce_ms: int = 50
    source: str = ""  # the file the settings came from ('' = defaults)

    def fingerprint(self) -> str:
        """A stable text of every setting that changes what a note parses into."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "source"}
        return json.dumps(data, sort_keys=True, default=list)


_TYPES: dict[str, tuple[type, ...]] = {
    "output": (str,), "principles_preset": (str,), "principles": (list,), "ignore": (list,),
    "templates_folder": (str,), "templates_dir": (str,), "placeholders": (list,), "required_parts": (list,),
    "word_budget": (int,), "reuse_limit": (int,), "link_style": (str,), "labels": (dict,),
    "max_file_size": (int,), "rules": (dict,), "debounce_ms": (int,),
}
_CHOICES = {"principles_preset": ("amazon", "none"), "link_style": ("wikilink", "markdown")}


def load_config(vault: Path, *, overrides: Mapping[str, Any] | None = None) -> Config:
    """The vault's configuration with command-line `overrides` applied."""
    raw, source = _read_config_file(vault)
    merged = {**_obsidian_defaults(vault), **raw, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    config = replace(Config(), **_validate(merged), source=source)
    _check_output(vault, config.output)
    _check_templates_dir(vault, config.templates_dir)
    return config


def _read_config_file(vault: Path) -> tuple[dict[str, Any], str]:
    for name in CONFIG_FILES:
        path = vault / name
        if path.is_file():
            return _load_toml(path), name
    pyproject = vault / "pyproject.toml"
    if pyproject.is_file():
        tool = _load_toml(pyproject).get("tool")
        section = tool.get("lpvault") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            return section, "pyproject.toml [tool.lpvault]"
    return {}, ""


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:  # TOMLDecodeError, UnicodeDecodeError, an int of 5,000 digits
        raise ConfigError(f"{path.name}: cannot read it as TOML: {error}") from None
    except RecursionError:  # tomllib recurses on nested brackets
        raise ConfigError(f"{path.name}: cannot read it as TOML: nested too deep") from None


def _obsidian_defaults(vault: Path) -> dict[str, Any]:
    """Settings Obsidian already holds: the template folder.

    Obsidian's own "use Markdown links" setting is not followed: our Markdown
    style writes the heading ids GitHub, Jekyll and Hugo use, which Obsidian
    does not match, so it is chosen only by `link_style` in our config."""
    found: dict[str, Any] = {}
    for path, key in ((".obsidian/templates.json", "folder"),
                      (".obsidian/plugins/templater-obsidian/data.json", "templates_folder")):
        folder = _read_json(vault / path).get(key)
        if isinstance(folder, str) and folder.strip("/ "):
            found.setdefault("templates_folder", folder.strip("/ "))
    return found


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _TYPES:
            raise ConfigError(f"unknown key '{key}' (known keys: {', '.join(sorted(_TYPES))})")
        clean[key] = _check_value(key, value)
    return clean


def _check_value(key: str, value: Any) -> Any:
    expected = _TYPES[key]
    if not isinstance(value, expected) or isinstance(value, bool) and bool not in expected:
        raise ConfigError(f"'{key}' must be a {_type_name(expected)}, not {type(value).__name__} {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigError(f"'{key}' must be one of {', '.join(_CHOICES[key])}, not {value!r}")
    if isinstance(value, int) and value < 0:
        raise ConfigError(f"'{key}' must not be negative, not {value}")
    return _CHECKS.get(key, _as_is)(key, value)


def _type_name(types: tuple[type, ...]) -> str:
    return {str: "string", int: "whole number", list: "list", dict: "table"}[types[0]]


def _as_is(key: str, value: Any) -> Any:
    return value


def _string_list(key: str, value: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"'{key}' must be a list of strings")
    return tuple(value)


def _required_parts(key: str, value: list[Any]) -> tuple[str, ...]:
    parts = tuple(str(p).lower() for p in _string_list(key, value))
    unknown = [p for p in parts if p not in STAR_PARTS]
    if unknown:
        raise ConfigError(f"'{key}': unknown part '{unknown[0]}' (expected some of {', '.join(STAR_PARTS)})")
    return parts


def _labels(key: str, value: dict[str, Any]) -> dict[str, str]:
    for label, part in value.items():
        if not isinstance(part, str) or part.lower() not in STAR_PARTS:
            raise ConfigError(f"'{key}.{label}' must name a STAR part ({', '.join(STAR_PARTS)}), not {part!r}")
    return {label.lower(): part.lower() for label, part in value.items()}


def _principles(key: str, value: list[Any]) -> tuple[Mapping[str, Any], ...]:
    if not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"'{key}' must be a list of tables ([[principles]] with name, aliases, summary)")
    from lpvault.principles import build_catalog

    try:
        build_catalog(extra=value)  # names, aliases and types are checked once, here
    except ValueError as error:
        raise ConfigError(f"'{key}': {error}") from None
    for number, item in enumerate(value, 1):
        if str(item.get("name", "")).strip().casefold() == HUB_NOTE.casefold():
            raise ConfigError(f"'{key}': principles entry {number}: 'name' {item['name']!r} is the hub note's name; "
                              "choose another")
    return tuple(value)


def _rules(key: str, value: dict[str, Any]) -> dict[str, str]:
    from lpvault.rules import lookup_rule  # the registry validates codes and names

    clean = {}
    for name, severity in value.items():
        if lookup_rule(name) is None:
            raise ConfigError(f"'{key}': unknown rule '{name}' (see `lpvault rules`)")
        if severity not in SEVERITIES:
            raise ConfigError(f"'{key}.{name}' must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        clean[lookup_rule(name).code] = severity
    return clean


_CHECKS = {
    "ignore": _string_list, "placeholders": _string_list, "required_parts": _required_parts,
    "labels": _labels, "principles": _principles, "rules": _rules,
}


def _check_output(vault: Path, output: str) -> None:
    """The output folder must be a folder strictly inside the vault."""
    path = PurePosixPath(output.replace("\\", "/"))
    if not output.strip() or path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise ConfigError(f"'output' must be a folder inside the vault (like \"LP Index\"), not {output!r}")
    resolved = (vault / path).resolve()
    if vault.resolve() not in resolved.parents:
        raise ConfigError(f"'output' must be a folder inside the vault, not {output!r}")


def _check_templates_dir(vault: Path, templates_dir: str | None) -> None:
    """A vault's own templates live inside it: a shared vault cannot point us elsewhere."""
    if templates_dir is None:
        return
    resolved, root = (vault / templates_dir).resolve(), vault.resolve()
    if resolved != root and root not in resolved.parents:
        raise ConfigError(f"'templates_dir' must be a folder inside the vault (like \"templates\"), not {templates_dir!r}")
