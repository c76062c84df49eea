"""Front matter: YAML between `---` fences or TOML between `+++` fences at line 1.

mistune does not know front matter, so it is cut off here and the body is parsed
with a line offset. Malformed front matter is reported, never raised.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any, Mapping

import yaml

from lpvault.model import Problem

FENCES = {"---": "yaml", "+++": "toml"}
# A YAML document is small by nature; a bigger block is treated as an attack.
MAX_FRONT_MATTER_CHARS = 64_000


@dataclass(frozen=True)
class FrontMatter:
    """The parsed block, the number of lines it occupies and what went wrong."""

    data: Mapping[str, Any] | None
    line_count: int  # lines the block takes, fences included (0: no block)
    problems: tuple[Problem, ...] = ()


def split_front_matter(text: str) -> FrontMatter:
    """Find and parse a front matter block at the very first line of `text`."""
    first, _, rest = text.partition("\n")
    kind = FENCES.get(first.rstrip())
    if kind is None:
        return FrontMatter(None, 0)
    fence = first.rstrip()
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() == fence:
            source = "\n".join(lines[:index])
            return _parse_block(kind, source, index + 2)
    problem = Problem("invalid-front-matter", 1, 1, f"front matter opened with '{fence}' is never closed")
    return FrontMatter(None, 0, (problem,))


def _parse_block(kind: str, source: str, line_count: int) -> FrontMatter:
    if len(source) > MAX_FRONT_MATTER_CHARS:
        return _invalid(line_count, 2, f"front matter is larger than {MAX_FRONT_MATTER_CHARS} characters")
    try:
        data = _load_yaml(source) if kind == "yaml" else tomllib.loads(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return _invalid(line_count, line, f"invalid YAML front matter: {reason}")
    except tomllib.TOMLDecodeError as error:
        line = 2 + max(getattr(error, "lineno", 1) - 1, 0)
        return _invalid(line_count, line, f"invalid TOML front matter: {error.args[0] if error.args else error}")
    if data is None:
        return FrontMatter({}, line_count)
    if not isinstance(data, dict):
        return _invalid(line_count, 2, f"front matter must be a mapping of keys to values, not a {type(data).__name__}")
    return FrontMatter(data, line_count)


def _invalid(line_count: int, line: int, message: str) -> FrontMatter:
    return FrontMatter(None, line_count, (Problem("invalid-front-matter", line, 1, message),))


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with more than a few hundred aliases:
    a 'billion laughs' document expands to exponentially many references."""

    MAX_ALIASES = 200

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > self.MAX_ALIASES:
                event = self.peek_event()
                raise yaml.YAMLError(f"more than {self.MAX_ALIASES} aliases (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)


def _load_yaml(source: str) -> Any:
    """`yaml.safe_load` with an alias limit: never constructs Python objects."""
    loader = _BoundedLoader(source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
