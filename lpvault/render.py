"""Jinja2, sandboxed: templates shipped in the package, overridable from the vault.

Note text only ever reaches a template as data; a vault's own template cannot
reach Python internals or the file system.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the templates inside the package; a source checkout next to it.
SHIPPED_TEMPLATES = next((p for p in (_PACKAGE / "templates", _PACKAGE.parent / "templates") if p.is_dir()),
                         _PACKAGE / "templates")


class TemplateError(Exception):
    """A template that cannot be loaded or rendered; the message names it and the line."""


def make_environment(override_dir: Path | None = None) -> jinja2.Environment:
    """A sandboxed environment; templates in `override_dir` win over the shipped ones."""
    folders = [str(override_dir)] if override_dir is not None and override_dir.is_dir() else []
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders + [str(SHIPPED_TEMPLATES)]),
        autoescape=False,  # the output is Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; every template problem becomes a TemplateError."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template {error.filename or name}, line {error.lineno}: {error.message}") from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"template {name} not found") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"template {name}: {error}") from None
