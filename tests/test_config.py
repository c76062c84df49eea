"""Config discovery, precedence and validation."""
from __future__ import annotations

from pathlib import Path

import pytest

from lpvault.config import Config, ConfigError, load_config


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


@pytest.mark.parametrize(("name", "text"), [
    ("lpvault.toml", "output = 'Index'\n"),
    (".lpvault.toml", "output = 'Index'\n"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.lpvault]\noutput = 'Index'\n"),
])
def test_config_files_are_found(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert load_config(tmp_path).output == "Index"


def test_command_line_wins_over_file(tmp_path: Path) -> None:
    (tmp_path / "lpvault.toml").write_text("output = 'Index'\nword_budget = 300\n", encoding="utf-8")
    config = load_config(tmp_path, overrides={"output": "Other", "word_budget": None})
    assert (config.output, config.word_budget) == ("Other", 300)


def test_obsidian_settings_are_read(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "app.json").write_text('{"useMarkdownLinks": true}', encoding="utf-8")
    (tmp_path / ".obsidian" / "templates.json").write_text('{"folder": "Meta/Templates/"}', encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.link_style, config.templates_folder) == ("wikilink", "Meta/Templates")


@pytest.mark.parametrize(("text", "message"), [
    ("outptu = 'x'\n", "unknown key 'outptu'"),
    ("word_budget = 'long'\n", "'word_budget' must be a whole number"),
    ("link_style = 'html'\n", "'link_style' must be one of wikilink, markdown"),
    ("required_parts = ['situation', 'moral']\n", "'required_parts': unknown part 'moral'"),
    ("output = '../outside'\n", "'output' must be a folder inside the vault"),
    ("output = '.'\n", "'output' must be a folder inside the vault"),
    ("output = '/tmp/x'\n", "'output' must be a folder inside the vault"),
    ("labels = { Challenge = 'moral' }\n", "'labels.Challenge' must name a STAR part"),
    ("principles = ['Widgetry']\n", "'principles' must be a list of tables"),
    ("this is not toml", "lpvault.toml:1: cannot read it as TOML"),
    ("[[principles]]\nnam = 'x'\n", "'principles': "),
])
def test_mistakes_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "lpvault.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)


def test_custom_principles_are_added(tmp_path: Path) -> None:
    from lpvault.pipeline import make_catalog

    (tmp_path / "lpvault.toml").write_text(
        '[[principles]]\nname = "Widgetry Excellence"\naliases = ["Widgetry"]\nsummary = "Make great widgets."\n',
        encoding="utf-8")
    catalog = make_catalog(load_config(tmp_path))
    assert len(catalog.principles) == 17 and catalog.match("## Widgetry".lstrip("# ")).name == "Widgetry Excellence"
    (tmp_path / "lpvault.toml").write_text('principles_preset = "none"\n[[principles]]\nname = "Widgetry"\n',
                                           encoding="utf-8")
    assert [p.name for p in make_catalog(load_config(tmp_path)).principles] == ["Widgetry"]
