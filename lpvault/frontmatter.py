"""Front matter: YAML between `---` fences or TOML between `+++` fences at line 1.

mistune does not know front matter, so it is cut off here and the body is parsed
with a line offset. Malformed front matter is reported, never raised.
"""
from __future__ import annotations

import re
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
        data = _load(kind, source)
    except _Invalid as error:
        return _invalid(line_count, error.line, f"invalid {kind.upper()} front matter: {error.reason}")
    if data is None:
        return FrontMatter({}, line_count)
    if not isinstance(data, dict):
        return _invalid(line_count, 2, f"front matter must be a mapping of keys to values, not a {type(data).__name__}")
    return FrontMatter(data, line_count)


class _Invalid(Exception):
    """Why a block does not load, and the note line to point at."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _load(kind: str, source: str) -> Any:
    """The block's data, checked to be safe to walk; every failure is _Invalid."""
    if kind == "yaml":
        fast = _load_yaml_fast(source)
        if fast is not _SLOW:
            return fast
    try:
        data = _load_yaml(source) if kind == "yaml" else tomllib.loads(source)
        _check_shape(data)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise _Invalid(2 + (mark.line if mark is not None else 0), reason) from None
    except tomllib.TOMLDecodeError as error:
        reason = error.args[0] if error.args else str(error)
        raise _Invalid(1 + _toml_line(error, source), reason) from None
    except RecursionError:  # the YAML composer and tomllib recurse on nested brackets
        raise _Invalid(2, "nested too deep") from None
    except (ValueError, OverflowError) as error:  # _BadShape; PyYAML: an int of 5,000 digits
        raise _Invalid(2, str(error)) from None
    return data


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


def _lenient_timestamp(loader: _BoundedLoader, node: yaml.ScalarNode) -> Any:
    """A date such as `2020-02-30` stays text instead of failing the whole block
    (lpvault reads no dates; Obsidian shows such a value as text too). So does
    `!!timestamp abc`, which PyYAML fails on with an AttributeError."""
    if not isinstance(node.value, str) or not loader.timestamp_regexp.match(node.value):
        return loader.construct_scalar(node)
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _toml_line(error: tomllib.TOMLDecodeError, source: str) -> int:
    """The 1-based line inside the block (Python 3.11 only says it in the message)."""
    lineno = getattr(error, "lineno", None)
    if lineno is None:
        found = re.search(r"at line (\d+)", str(error))
        lineno = int(found.group(1)) if found else (source.count("\n") + 1 if "end of document" in str(error) else 1)
    return max(int(lineno), 1)


def _load_yaml(source: str) -> Any:
    """`yaml.safe_load` with an alias limit: never constructs Python objects."""
    loader = _BoundedLoader(source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


_SLOW = object()  # `_load_yaml_fast` declined: load with _BoundedLoader
# libyaml's composer recurses in C, without Python's recursion limit: it is handed
# only blocks that cannot nest deeper than this (each level opens with one of `[{-:?`).
_FAST_MAX_INDICATORS = 512


class _FastLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader's constructors over libyaml's parser (several times faster)."""


_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _load_yaml_fast(source: str) -> Any:
    """The data of a plain YAML block loaded by libyaml, or _SLOW.

    Only the common case is taken: no alias (`*`, so no alias bomb and no alias
    limit to count), few enough indicators that nesting stays shallow, nothing
    the two parsers read differently (see `_libyaml_may_differ`), and a result
    that passes `_check_shape`. Anything else, an error included, is left to
    `_BoundedLoader`, so every message and line stays exactly as it reports it."""
    if not yaml.__with_libyaml__ or "*" in source or _libyaml_may_differ(source) \
            or sum(source.count(c) for c in "[{-:?") > _FAST_MAX_INDICATORS:
        return _SLOW
    loader = _FastLoader(source)
    try:
        data = loader.get_single_data()
        _check_shape(data)
    except Exception:  # noqa: BLE001 - the careful loader says what is wrong
        return _SLOW
    finally:
        loader.dispose()
    return data


# Where libyaml and PyYAML read the same text differently (found by comparing the
# two on generated blocks): tabs, a byte-order mark, NEL and Unicode line
# separators, `!` tags, a block scalar header running into a `#`.
_LIBYAML_DIFFERS = re.compile(r"[\t\ufeff\x85\u2028\u2029!]|[|>][-+0-9]*#")


def _libyaml_may_differ(source: str) -> bool:
    """True for the text where libyaml and PyYAML may disagree: see _LIBYAML_DIFFERS,
    and a `?` that may sit in a flow collection (PyYAML ends a plain scalar there)."""
    return bool(_LIBYAML_DIFFERS.search(source)) or "?" in source and ("[" in source or "{" in source)


MAX_EXPANDED_VALUES = 100_000
MAX_DEPTH = 100
MAX_INT_BITS = 1024


class _BadShape(ValueError):
    """Front matter that loaded but no consumer could walk safely."""


def _check_shape(data: Any) -> None:
    """Raise _BadShape when the data contains itself (a recursive YAML alias),
    nests deeper than MAX_DEPTH, or expands past MAX_EXPANDED_VALUES.

    Shared values (YAML aliases) are cheap to load, but every consumer that walks
    them (JSON output, tags, principles) pays the full expansion: an alias bomb
    is refused here, once. Iterative, so depth itself cannot blow the stack.
    Only containers are recorded: a scalar counts one value, one level."""
    done: dict[int, tuple[int, int]] = {}  # container id -> (expanded size, height)
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, children_done = stack.pop()
        if not isinstance(value, _CONTAINERS):
            _check_scalar(value)
            continue
        key = id(value)
        if children_done:
            on_path.discard(key)
            done[key] = _measure(value, done)
        elif key not in done:
            if key in on_path:
                raise _BadShape("a value contains itself (a recursive alias)")
            on_path.add(key)
            stack.append((value, True))
            stack.extend((child, False) for child in _children(value) if id(child) not in done)


_CONTAINERS = (dict, list, tuple, set)
_SCALAR = (1, 1)  # (expanded size, height) of a scalar


def _measure(value: Any, done: dict[int, tuple[int, int]]) -> tuple[int, int]:
    measured = [done.get(id(child), _SCALAR) for child in _children(value)]
    size = 1 + sum(m[0] for m in measured)
    height = 1 + max((m[1] for m in measured), default=0)
    if size > MAX_EXPANDED_VALUES:
        raise _BadShape(f"aliases expand to more than {MAX_EXPANDED_VALUES} values (an alias bomb?)")
    if height > MAX_DEPTH:
        raise _BadShape(f"values nested more than {MAX_DEPTH} levels deep")
    return size, height


def _check_scalar(value: Any) -> None:
    """Text that cannot be written as UTF-8, or a number too big to print, is refused."""
    if isinstance(value, str):
        if value.isascii():
            return
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadShape("a string holds a lone surrogate escape (like \\ud800), not valid text") from None
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _BadShape(f"a number larger than 2**{MAX_INT_BITS}")


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [item for pair in value.items() for item in pair]
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return []
