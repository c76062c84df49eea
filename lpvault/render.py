"""Jinja2, sandboxed: templates shipped in the package, overridable from the vault.

Note text only ever reaches a template as data; a vault's own template cannot
reach Python internals or the file system.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any, Mapping

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the templates inside the package; a source checkout next to it.
SHIPPED_TEMPLATES = next((p for p in (_PACKAGE / "templates", _PACKAGE.parent / "templates") if p.is_dir()),
                         _PACKAGE / "templates")


class TemplateError(Exception):
    """A template that cannot be loaded or rendered; the message names it and the line."""


# A vault's template may multiply a string or a list: cap what one operation makes.
MAX_PRODUCT = 1_000_000


class _ConfinedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that never reads through a symlink leading out of its folders
    (a shared vault's `{% include %}` of a link to ~/.ssh/id_rsa stays unread)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        """The template's source, only when the file really lies in a search folder."""
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(_inside(real, os.path.realpath(folder)) for folder in self.searchpath):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive (Windows)
        return False


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with `*` and `**` bounded so a template cannot
    exhaust memory or time with `'x' * 10**10`."""

    intercepted_binops = frozenset(["*", "**"])

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`row.link` on a plain dict: its item, as Jinja gives it after `getattr` fails,
        without raising and catching an AttributeError (most of what a page costs)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`left operator right`, refused when the result would be huge."""
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*" and _product_size(left, right) > MAX_PRODUCT:
            raise SecurityError(f"a product of more than {MAX_PRODUCT} items")
        return super().call_binop(context, operator, left, right)


def _product_size(left: Any, right: Any) -> int:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * max(count, 0)
    return 0


def make_environment(override_dir: Path | None = None) -> jinja2.Environment:
    """A sandboxed environment; templates in `override_dir` win over the shipped ones."""
    folders = [str(override_dir)] if override_dir is not None and override_dir.is_dir() else []
    return _Sandbox(
        loader=_ConfinedLoader(folders + [str(SHIPPED_TEMPLATES)]),
        autoescape=False,  # the output is Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; every template problem becomes a TemplateError that
    names the template file and the line (any exception a template raises counts)."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template {error.filename or name}, line {error.lineno}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        where = _where(error, name)
        missing = f"template {name} not found" if error.name == name else f"template {error.name!r} not found"
        raise TemplateError(missing if where == f"template {name}" else f"{where}: {missing}") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{_where(error, name)}: {error}") from None
    except Exception as error:  # noqa: BLE001 - a user's template may raise anything (1/0, bad filter args)
        raise TemplateError(f"{_where(error, name)}: {type(error).__name__}: {error}") from None


def _where(error: BaseException, name: str) -> str:
    """`template FILE, line N` from the frames Jinja2 rewrites to template lines."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith(".py")]
    if not frames or frames[-1].lineno is None:
        return f"template {name}"
    return f"template {frames[-1].filename}, line {frames[-1].lineno}"
