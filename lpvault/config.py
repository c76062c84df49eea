"""Find, load and validate the vault's configuration.

Defaults < `lpvault.toml` / `.lpvault.toml` / `[tool.lpvault]` in `pyproject.toml`
< command line, merged once. Every key and type is checked at load time; a
mistake raises ConfigError naming the key and what was expected.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

STAR_PARTS = ("situation", "task", "action", "result")  # the parts of a STAR story, in order


CONFIG_FILES = ("lpvault.toml", ".lpvault.toml")
HUB_NOTE = "Leadership Principles"  # index.HUB_NAME: no principle may take its name (or its file)
SEVERITIES = ("error", "warning", "info", "off")
DEFAULT_PLACEHOLDERS = ("u", "x", "?", "...", "…", "TODO", "TBD", "FIXME", "lorem", "lorem ipsum")


class ConfigError(Exception):
    """One or more configuration mistakes, each naming its key and where it was set
    (`lpvault.toml:3: ...`, or `--output ...` for a command-line option)."""

    def __init__(self, problems: str | list[str], *, keys: list[str] | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.keys = keys  # the (dotted) key of each problem, when a check knows them better than its caller
        super().__init__("; ".join(self.problems))


OPTIONS = {"output": "--output", "debounce_ms": "--debounce"}  # keys the command line sets, as typed there


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
    """The vault's configuration with command-line `overrides` applied. Every mistake
    is found before any is raised: one ConfigError lists them all."""
    raw, source, text = _read_config_file(vault)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    where = _Where(str(vault / source.split(" ", 1)[0]) if source else "", text, given)
    clean, problems = _validate({**_obsidian_defaults(vault), **raw, **given}, where)
    problems += where.each("output", _problems_of(_check_output, vault, clean.get("output", Config.output)))
    if "templates_dir" in clean:
        problems += where.each("templates_dir", _problems_of(_check_templates_dir, vault, clean["templates_dir"]))
    if problems:
        raise ConfigError(problems)
    return replace(Config(), **clean, source=source)


def _problems_of(check: Any, *args: Any) -> list[str]:
    try:
        check(*args)
    except ConfigError as error:
        return error.problems
    return []


class _Where:
    """Where a key was set, for its problems: `lpvault.toml:3` (the first line naming the key),
    or the command-line option that gave it (`--output`)."""

    def __init__(self, file: str, text: str, options: Mapping[str, Any]) -> None:
        self.file, self.lines, self.options = file, text.splitlines(), options

    def each(self, key: str, problems: list[str]) -> list[str]:
        """`problems` of `key`, each prefixed with where `key` was set."""
        if key in self.options and key in OPTIONS:
            option = OPTIONS[key]
            return [f"{option} {self.options[key]!r}: {_as_option(p, key)}" for p in problems]
        if not self.file:
            return problems
        line = self.line_of(key.split(".")[-1])
        return [f"{self.file}{f':{line}' if line else ''}: {p}" for p in problems]

    def line_of(self, key: str) -> int | None:
        """The first line that sets `key` (`key = ...`, `"key" = ...`) or opens its table."""
        name = re.escape(key)
        pattern = re.compile(rf"^\s*(?:\[\[?\s*(?:tool\.lpvault\.)?{name}\s*\]|(['\"]?){name}\1\s*=)")
        return next((n for n, line in enumerate(self.lines, 1) if pattern.match(line)), None)


def _as_option(problem: str, key: str) -> str:
    """`'output' must be a folder ..., not 'x'` as said of an option: `must be a folder ...`."""
    return re.sub(rf"^'{key}':? ", "", re.sub(r", not '[^']*'$", "", problem))


def _read_config_file(vault: Path) -> tuple[dict[str, Any], str, str]:
    """The settings, the file they came from ('' for none) and its text."""
    for name in CONFIG_FILES:
        path = vault / name
        if path.is_file():
            data, text = _load_toml(path)
            return data, name, text
    pyproject = vault / "pyproject.toml"
    if pyproject.is_file():
        data, text = _load_toml(pyproject)
        tool = data.get("tool")
        section = tool.get("lpvault") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            return section, "pyproject.toml [tool.lpvault]", text
    return {}, "", ""


def _load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The file's TOML and its text; a ConfigError at the line tomllib names."""
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except (ValueError, OSError) as error:  # TOMLDecodeError, UnicodeDecodeError, an int of 5,000 digits
        at = re.search(r"\(at line (\d+), column \d+\)$", str(error))
        where = f"{path}:{at.group(1)}" if at else str(path)
        reason = str(error)[: at.start()].rstrip() if at else str(error)
        raise ConfigError(f"{where}: cannot read it as TOML: {reason}") from None
    except RecursionError:  # tomllib recurses on nested brackets
        raise ConfigError(f"{path}: cannot read it as TOML: nested too deep") from None


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


def _validate(raw: Mapping[str, Any], where: _Where) -> tuple[dict[str, Any], list[str]]:
    """The valid settings, and a problem (with where it was set) for each of the others."""
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key not in _TYPES:
            problems += where.each(key, [f"unknown key '{key}'{did_you_mean(key, _TYPES)}"])
            continue
        try:
            clean[key] = _check_value(key, value)
        except ConfigError as error:
            for sub, problem in zip(error.keys or [key] * len(error.problems), error.problems):
                problems += where.each(sub, [problem])
    return clean, problems


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """` (did you mean 'output'?)` for the closest of `known`, else the list of them."""
    known = sorted(known)
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"


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

    from lpvault.rules import RULES

    clean, problems, keys = {}, [], []
    for name, severity in value.items():
        if lookup_rule(name) is None:
            hint = did_you_mean(name, [r.name for r in RULES] + [r.code for r in RULES])
            problems.append(f"'{key}': unknown rule '{name}'{hint if 'did you' in hint else ' (see `lpvault rules`)'}")
        elif severity not in SEVERITIES:
            problems.append(f"'{key}.{name}' must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        else:
            clean[lookup_rule(name).code] = severity
            continue
        keys.append(f"{key}.{name}")
    if problems:
        raise ConfigError(problems, keys=keys)
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


class OutputBlocked(Exception):
    """A file stands where the output folder, or a folder above it, should be."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is a file, not a folder: the index notes cannot be written there")

    def told(self, config: Config, *, option: bool) -> str:
        """The message, naming the setting to change: `--output`, or `output` where it was set."""
        if option:
            setting = f"--output {config.output!r}"
        elif config.source:
            setting = f"'output' in {config.source.split(' ', 1)[0]}"
        else:
            setting = "the folder with --output or 'output' in lpvault.toml"
        return f"{self}; move the file or change {setting}"


def check_output_folder(vault: Path, config: Config) -> None:
    """Raise OutputBlocked when a file is in the way of the output folder (checked before
    anything is written, by `index` and by each `watch` cycle)."""
    path = vault
    for part in PurePosixPath(config.output.replace("\\", "/")).parts:
        path = path / part
        if not path.is_dir():
            if os.path.lexists(path):
                raise OutputBlocked(path)
            return
