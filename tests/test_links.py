"""Links end to end: snippets through parse_text, and resolution across a Vault."""
from __future__ import annotations

from lpvault.config import Config
from lpvault.links import resolve_link
from lpvault.model import Link
from lpvault.parse import parse_text
from lpvault.pipeline import assemble, make_catalog
from lpvault.pipeline import Analysis


def _vault(files: dict[str, str]):
    config = Config()
    analyses = {path: Analysis(parse_text(path, text), ()) for path, text in files.items()}
    return assemble(config, make_catalog(config), analyses)


def test_resolve_link_smoke() -> None:
    vault = _vault({"a.md": "[[b#Top]]\n", "b.md": "# Top\n"})
    assert resolve_link(vault, "a.md", Link("b", "#Top", None, False, 1, 1)) == ("b.md", True)
    assert resolve_link(vault, "a.md", Link("b", "#Nope", None, False, 1, 1)) == ("b.md", False)
    assert resolve_link(vault, "a.md", Link("b", None, None, False, 1, 1)) == ("b.md", None)
    assert resolve_link(vault, "a.md", Link("c", "#x", None, False, 1, 1)) == (None, None)
