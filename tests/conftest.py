"""Shared helpers: analyse a snippet the way the pipeline does, copy fixture vaults."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lpvault.config import Config
from lpvault.model import Analysis
from lpvault.pipeline import Analyzer, make_catalog

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEED_FIXTURES = FIXTURES / "seeds"
EXAMPLE_VAULT = ROOT / "vault"


def analyse(text: str, path: str = "note.md", config: Config | None = None) -> Analysis:
    """Parse one note's text and extract its stories with default settings."""
    config = config or Config()
    return Analyzer(config, make_catalog(config)).analyse(path, text.encode("utf-8"))


def copy_vault(source: Path, target: Path) -> Path:
    """A copy of a fixture vault without any generated index."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("LP Index", ".lpvault", "EXPECTED.md"))
    return target


@pytest.fixture
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache signs with a key of the test's own, kept in a cache home of its own."""
    from lpvault import sealed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.setattr(sealed, "_KEY", None)


@pytest.fixture
def seed_vault(tmp_path: Path) -> Path:
    """The five seed-style fixtures in one vault."""
    return copy_vault(SEED_FIXTURES, tmp_path / "seeds")
