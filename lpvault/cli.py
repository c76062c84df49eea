"""Command line: arguments -> config -> one core call -> print -> exit code.

Exit codes: 0 fine, 1 something to fix (findings at or above --fail-on, an
out-of-date index with --check, a user's file in the output folder), 2 a usage,
config or template error.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from lpvault import __version__
from lpvault.config import ConfigError, load_config
from lpvault.render import TemplateError

VAULT_ARG = click.argument("vault", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))


def _config(vault: Path, **overrides: Any):
    if not vault.is_dir():
        raise click.UsageError(f"{vault}: no such folder")
    try:
        return load_config(vault, overrides=overrides)
    except ConfigError as error:
        raise click.UsageError(f"config: {error}") from None


def _progress(quiet: bool) -> Callable[[int, int], None] | None:
    """A progress bar on a terminal for long runs, nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def tick(done: int, total: int) -> None:
        if total < 500:
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label="Parsing notes", file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)
        if done == total:
            state["bar"].__exit__(None, None, None)

    return tick


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lpvault")
def main() -> None:
    """Lint and index a vault of STAR interview stories by leadership principle.

    \b
    Examples:
      lpvault index ~/Notes          write LP Index/ with one note per principle
      lpvault lint ~/Notes           report unfinished stories and broken links
      lpvault watch ~/Notes          re-index on every save
      lpvault stories ~/Notes --format json
    """


@main.command()
@VAULT_ARG
@click.option("--output", help="Output folder inside the vault (default: LP Index).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the index notes that are out of date.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def index(vault: Path, output: str | None, check: bool, quiet: bool) -> None:
    """Write the index notes (one per principle and the hub) into the vault.

    \b
    Examples:
      lpvault index                   index the current folder
      lpvault index ~/Notes --output "Interview Index"
      lpvault index --check           for pre-commit and CI
    """
    from lpvault.lock import LockHeld
    from lpvault.pipeline import run_index

    config = _config(vault, output=output)
    started = time.perf_counter()
    try:
        result = run_index(vault, config, check=check, progress=_progress(quiet))
    except TemplateError as error:
        raise click.UsageError(str(error)) from None
    except LockHeld as error:
        click.echo(f"lpvault index: {error}", err=True)
        sys.exit(1)
    for path in result.refused:
        click.echo(f"{path}: not written: a file lpvault did not generate is in the way; "
                   "move it or change 'output'", err=True)
    if check:
        for path in result.stale:
            click.echo(f"{path}: out of date (run `lpvault index`)")
    elif not quiet:
        click.echo(result.summary(time.perf_counter() - started))
    sys.exit(1 if result.refused or (check and result.stale) else 0)


@main.command()
@VAULT_ARG
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def stories(vault: Path, fmt: str) -> None:
    """Print the story bank: every distinct story with its principles and status.

    \b
    Examples:
      lpvault stories ~/Notes
      lpvault stories ~/Notes --format json | jq '.[] | select(.status == "blank")'
    """
    from lpvault.pipeline import load_vault
    from lpvault.report import stories_as

    config = _config(vault)
    click.echo(stories_as(load_vault(vault, config), fmt), nl=False)


@main.command()
@VAULT_ARG
@click.option("--output", help="Output folder inside the vault (default: LP Index).")
@click.option("--polling", is_flag=True, help="Poll for changes (network drives, WSL, Docker mounts) instead of native events.")
@click.option("--debounce", type=click.IntRange(0, 60_000), metavar="MS",
              help="Start a cycle once events stop for MS milliseconds (default 50, or debounce_ms in the config).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print every changed note and every index note written.")
def watch(vault: Path, output: str | None, polling: bool, debounce: int | None, quiet: bool, verbose: bool) -> None:
    """Index the vault, then update the index notes on every save (Ctrl-C to stop).

    \b
    One line per cycle: notes re-parsed, index notes written, milliseconds.
    Examples:
      lpvault watch ~/Notes
      lpvault watch ~/Notes --polling       on a network drive or a Docker mount
    """
    from lpvault.lock import LockHeld
    from lpvault.watch import VaultGone, Watcher, WatchError, stop_on_signals

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    overrides = {"output": output, "debounce_ms": debounce}
    watcher = Watcher(vault, _config(vault, **overrides), log=_watch_log(quiet, verbose), polling=polling,
                      overrides=overrides)
    try:
        with stop_on_signals(watcher):
            watcher.run()
    except (LockHeld, VaultGone, WatchError) as error:
        click.echo(f"lpvault watch: {error}", err=True)
        sys.exit(1)
    sys.exit(0)


def _watch_log(quiet: bool, verbose: bool) -> Callable[[str, str], None]:
    """Errors to stderr always; cycle lines unless --quiet; details with --verbose."""
    def log(level: str, message: str) -> None:
        if level == "error":
            click.echo(message, err=True)
        elif level == "info" and not quiet or level == "debug" and verbose:
            click.echo(message)

    return log


if __name__ == "__main__":  # pragma: no cover
    main()
