"""Command line: arguments -> config -> one core call -> print -> exit code.

Exit codes: 0 fine, 1 something to fix (findings at or above --fail-on, an
out-of-date index with --check, a user's file in the output folder), 2 a usage,
config or template error.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

from lpvault import __version__
from lpvault.config import ConfigError, OutputBlocked, check_output_folder, load_config

if TYPE_CHECKING:  # a run on an unchanged vault imports as little as it can
    from lpvault.findings import Finding, Severity

VAULT_ARG = click.argument("vault", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))


class ConfigProblems(click.ClickException):
    """Configuration mistakes: every one on its own line, where it was set first; exit 2.
    Not a usage error, so without click's `Usage:` banner."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

    def show(self, file: Any = None) -> None:
        for problem in self.problems:
            click.echo(f"Error: {problem}", err=True)


def _config(vault: Path, **overrides: Any):
    if not vault.is_dir():
        raise click.UsageError(f"{vault}: no such folder")
    try:
        return load_config(vault, overrides=overrides)
    except ConfigError as error:
        raise ConfigProblems(error.problems) from None


def _blocked(error: OutputBlocked, config: Any, output: str | None) -> NoReturn:
    """A file where the output folder goes: say so (as the option or the setting), exit 2."""
    raise ConfigProblems([error.told(config, option=output is not None)])


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


class _NeverRaised(Exception):
    """Stands in for TemplateError while no template was loaded (so none can have failed)."""


def _template_error() -> type[Exception]:
    """lpvault.render's TemplateError, without importing Jinja2 on runs that render nothing:
    an `except` clause evaluates this only once an exception is on its way."""
    render = sys.modules.get("lpvault.render")
    return render.TemplateError if render is not None else _NeverRaised


def _choose_colour(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    """--color / --no-color for this command and the ones under it; by default (auto) colour
    only on a terminal, and never while NO_COLOR is set to anything (https://no-color.org)."""
    if value is not None:
        ctx.color = value
    elif ctx.parent is None and os.environ.get("NO_COLOR"):
        ctx.color = False


COLOR = click.option("--color/--no-color", default=None, expose_value=False, callback=_choose_colour,
                     help="Colour the output always, or never (default: on a terminal unless NO_COLOR is set).")
NO_CACHE = click.option("--no-cache", is_flag=True,
                        help="Parse every note again; neither read nor write the cache in .lpvault/.")
JOBS = click.option("--jobs", "-j", type=click.IntRange(1, 64), metavar="N",
                    help="Processes to parse notes with (default: one per core for large vaults).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="lpvault")
@COLOR
@click.pass_context
def main(ctx: click.Context) -> None:
    """Lint and index a vault of STAR interview stories by leadership principle.

    \b
    Examples:
      lpvault index ~/Notes          write LP Index/ with one note per principle
      lpvault lint ~/Notes           report unfinished stories and broken links
      lpvault watch ~/Notes          re-index on every save
      lpvault stories ~/Notes --format json
    """
    if ctx.invoked_subcommand is None:  # bare `lpvault`: the help, and success, as git and ruff do
        click.echo(ctx.get_help())


def run() -> None:
    """The `lpvault` command (and `python -m lpvault`): `main`, then `leave`."""
    try:
        main()
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: object) -> NoReturn:
    """Exit with `code` as `sys.exit` would, once output is flushed, without freeing every
    object one by one first: a run over 10,000 notes leaves a quarter of a second of that
    work to interpreter shutdown. Everything that must reach the disk (index notes, the
    cache, the lock) is done by then; only the `lpvault` process itself exits this way,
    never a caller of `main` (tests, click's runner)."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`lpvault lint | head`): nothing left to say
            pass
    os._exit(code)


@main.command(short_help="Write the index notes: one per principle and the hub.")
@COLOR
@VAULT_ARG
@click.option("--output", help="Output folder inside the vault (default: LP Index).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the index notes that are out of date.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--fail-on-change", is_flag=True,
              help="Exit 1 when an index note was written or removed (the pre-commit hook: stage the new index).")
@NO_CACHE
@JOBS
def index(vault: Path, output: str | None, check: bool, quiet: bool, fail_on_change: bool, no_cache: bool,
          jobs: int | None) -> None:
    """Write the index notes (one per principle and the hub) into the vault.

    \b
    Examples:
      lpvault index                   index the current folder
      lpvault index ~/Notes --output "Interview Index"
      lpvault index --check           for pre-commit and CI
    """
    from lpvault.lock import LockHeld, LockUnavailable
    from lpvault.pipeline import run_index

    config = _config(vault, output=output)
    started = time.perf_counter()
    try:
        result = run_index(vault, config, check=check, progress=_progress(quiet), use_cache=not no_cache, jobs=jobs)
    except _template_error() as error:
        raise click.UsageError(str(error)) from None
    except OutputBlocked as error:
        _blocked(error, config, output)
    except LockHeld as error:
        sys.exit(_index_while_locked(vault, config, error, quiet))
    except LockUnavailable as error:
        click.echo(f"lpvault index: {error}", err=True)
        sys.exit(2)
    for path in result.refused:
        click.echo(f"{path}: not written: a file lpvault did not generate is in the way; "
                   "move it or change 'output'", err=True)
    if check:
        for path in result.stale:
            click.echo(f"{path}: out of date (run `lpvault index`)")
    elif not quiet:
        click.echo(result.summary(time.perf_counter() - started))
    if result.unreadable():
        click.echo(result.unreadable(), err=True)
    changed = fail_on_change and bool(result.written or result.removed)
    if changed:
        _tell_what_to_stage(result.written + result.removed)
    sys.exit(1 if result.refused or (check and result.stale) or changed else 0)


def _tell_what_to_stage(paths: list[str]) -> None:
    """--fail-on-change (the pre-commit hook) failed: which index notes changed, and what to do."""
    from lpvault.pipeline import plural

    click.echo(f"lpvault index: {plural(len(paths), 'index note')} written or removed; "
               "stage them (git add) and commit again:", err=True)
    for path in sorted(paths):
        click.echo(f"  {path}", err=True)


def _index_while_locked(vault: Path, config: Any, error: Any, quiet: bool) -> int:
    """`index` while another lpvault writes: fine when a running watch already wrote this very index
    (so the pre-commit hook passes next to `lpvault watch`); refused otherwise."""
    from lpvault.pipeline import run_index

    if error.owner.purpose == "watch" and not run_index(vault, config, check=True).stale:
        if not quiet:
            click.echo(f"index is current: lpvault watch (pid {error.owner.pid}) keeps it up to date")
        return 0
    click.echo(f"lpvault index: {error}", err=True)
    return 1


@main.command(short_help="Print the story bank (table, JSON or CSV).")
@COLOR
@VAULT_ARG
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: aligned columns; json: every story with its parts, lines and link; csv: the table's columns.")
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


# -- lint, rules, init, new --------------------------------------------------------

SEVERITY_CHOICE = click.Choice(["error", "warning", "info"])


@main.command(short_help="Report unfinished stories, broken links and other findings.")
@COLOR
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text: path:line:col: CODE message; json: a list of objects; github: workflow annotations.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes, names or prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Not these rules (codes, names or prefixes; comma-separated).")
@click.option("--statistics", is_flag=True, help="Also print the count of findings per rule.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only, without the summary line.")
@NO_CACHE
@JOBS
@click.pass_context
def lint(ctx: click.Context, paths: tuple[Path, ...], fmt: str, fail_on: str, select: tuple[str, ...],
         ignore: tuple[str, ...], statistics: bool, quiet: bool, no_cache: bool, jobs: int | None) -> None:
    """Report unfinished stories, placeholders, broken links and other findings.

    PATHS is a vault folder (default: the current folder) or note files, as
    pre-commit passes them: files are reported on alone, but links resolve
    against their whole vault (the nearest folder up holding .obsidian/,
    lpvault.toml, .lpvault.toml or .git).

    Text output is one line per finding, `path:line:col: severity CODE
    message`, then a summary line (`3 findings: 1 error, 2 warnings`).
    principle-without-story is one finding for the whole vault (none while
    the vault holds no story), at line 1 of lpvault.toml, or of the hub note
    (LP Index/Leadership Principles.md) when there is no config file.

    \b
    Examples:
      lpvault lint ~/Notes
      lpvault lint --select LPV101,missing-part --fail-on warning
      lpvault lint --format github "Stories/Dive Deep.md"
    Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 usage or config error.
    """
    from lpvault.lint_format import summary_line

    run = _LintRun(paths, select, ignore, use_cache=not no_cache, jobs=jobs)
    colour = not click.utils.should_strip_ansi(sys.stdout, ctx.color)  # click's own test: a terminal, or --color
    text, worst, counts = run.report(fmt, colour=colour)
    click.echo(text, nl=False, color=ctx.color if colour else True)  # uncoloured: nothing for click to strip
    aside = fmt != "text"  # JSON and annotations stay parseable: counts go to stderr
    if statistics:
        from lpvault.lint_format import statistics as stats_text

        click.echo(stats_text(run.findings()), nl=False, err=aside)
    if statistics or not (quiet or aside):
        click.echo(summary_line(counts), err=aside)
    from lpvault.findings import Severity

    sys.exit(1 if worst is not None and worst >= Severity.parse(fail_on) else 0)


def _lint_findings(paths: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...], *,
                   use_cache: bool = True, jobs: int | None = None) -> list[Finding]:
    """Load the vault the paths belong to and lint the notes they name; paths shown as the user sees them."""
    return _LintRun(paths, select, ignore, use_cache=use_cache, jobs=jobs).findings()


class _LintRun:
    """One lint of the vault the paths belong to. When nothing changed since the same lint
    last ran (same rules, notes and folder), its findings and its report come from the cache,
    and neither the rules nor the Markdown parser are loaded."""

    def __init__(self, paths: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...], *,
                 use_cache: bool, jobs: int | None) -> None:
        from lpvault.pipeline import VaultLoader
        from lpvault.roots import resolve_targets

        self.cwd, self.select, self.ignore, self.jobs = Path.cwd(), select, ignore, jobs
        self.targets = resolve_targets(paths, cwd=self.cwd)
        self.loader = VaultLoader(self.targets.root, _config(self.targets.root), use_cache=use_cache)
        self.selected = self.targets.select(note.path for note in self.loader.scan.notes)
        chosen = sorted(self.selected) if self.selected is not None else None
        self.key = repr(("lint", select, ignore, chosen, str(self.cwd)))

    def findings(self) -> list[Finding]:
        """The findings, paths shown as the user sees them."""
        from dataclasses import replace

        from lpvault.roots import display_path

        findings = self.loader.recall(self.key)
        if findings is None:
            shown: dict[str, str] = {}  # a note's findings share its displayed path
            findings = [replace(f, path=shown.get(f.path) or shown.setdefault(
                            f.path, display_path(self.targets.root, f.path, cwd=self.cwd)))
                        for f in _run_lint(self.loader, self.selected, self.select, self.ignore, self.jobs)]
            self.loader.remember(self.key, findings)
        return findings

    def report(self, fmt: str, *, colour: bool) -> tuple[str, Severity | None, dict[Severity, int]]:
        """The findings formatted in `fmt` (coloured or not), the most severe one's severity,
        and how many there are of each severity."""
        key = f"{self.key} {fmt} {colour}"
        found = self.loader.recall(key)
        if found is None:
            from lpvault.lint_format import format_findings, severity_counts

            findings = self.findings()
            found = (format_findings(findings, fmt, colour=colour), max((f.severity for f in findings), default=None),
                     severity_counts(findings))
            self.loader.remember(key, found)
        return found


def _run_lint(loader: Any, selected: set[str] | None, select: tuple[str, ...], ignore: tuple[str, ...],
              jobs: int | None) -> list[Finding]:
    """Choose the rules (a usage error before any parsing), load the vault, lint it."""
    from lpvault.lint import choose_rules
    from lpvault.lint import lint as run_lint

    try:
        rules = choose_rules(select, ignore)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    return run_lint(loader.vault(jobs=jobs), paths=selected, rules=rules)


@main.command(short_help="Index, then update the index notes on every save.")
@COLOR
@VAULT_ARG
@click.option("--output", help="Output folder inside the vault (default: LP Index).")
@click.option("--polling", is_flag=True, help="Poll for changes (network drives, WSL, Docker mounts) instead of native events.")
@click.option("--debounce", type=click.IntRange(0, 60_000), metavar="MS",
              help="Start a cycle once events stop for MS milliseconds (default 50, or debounce_ms in the config).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print every changed note and every index note written.")
@click.option("--no-cache", is_flag=True, help="Parse every note at start-up; neither read nor write the parse cache.")
def watch(vault: Path, output: str | None, polling: bool, debounce: int | None, quiet: bool, verbose: bool,
          no_cache: bool) -> None:
    """Index the vault, then update the index notes on every save (Ctrl-C to stop).

    \b
    One line per cycle: notes re-parsed, index notes written, milliseconds.
    Examples:
      lpvault watch ~/Notes
      lpvault watch ~/Notes --polling       on a network drive or a Docker mount
    """
    from lpvault.lock import LockError
    from lpvault.watch import VaultGone, Watcher, WatchError, stop_on_signals

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    overrides = {"output": output, "debounce_ms": debounce}
    config = _config(vault, **overrides)
    try:
        check_output_folder(vault, config)  # and if a file gets in the way later, the watch says so once
    except OutputBlocked as error:
        _blocked(error, config, output)
    watcher = Watcher(vault, config, log=_watch_log(quiet, verbose), polling=polling,
                      overrides=overrides, use_cache=not no_cache)
    try:
        with stop_on_signals(watcher):
            watcher.run()
    except (LockError, VaultGone, WatchError) as error:
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


@main.command(name="rules", short_help="List every lint rule with its code and severity.")
@COLOR
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: the table the README carries.")
def rules_command(fmt: str) -> None:
    """List every lint rule: code, name, default severity and what it reports.

    \b
    Examples:
      lpvault rules
      lpvault rules --format markdown
    """
    from lpvault.lint_format import rules_table
    from lpvault.rules import RULES

    click.echo(rules_table(RULES, fmt), nl=False)


@main.command(short_help="Write a commented lpvault.toml with every default.")
@COLOR
@VAULT_ARG
def init(vault: Path) -> None:
    """Write a commented lpvault.toml with every key at its default.

    Refuses (exit 1) when the vault already has lpvault.toml or .lpvault.toml.

    \b
    Example:
      lpvault init ~/Notes
    """
    from lpvault.scaffold import init_config

    if not vault.is_dir():
        raise click.UsageError(f"{vault}: no such folder")
    try:
        path = init_config(vault)
    except FileExistsError as error:
        click.echo(f"{error.args[0]}: already exists; not overwritten", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}")


@main.command(short_help="Write a blank STAR skeleton note for a new story.")
@COLOR
@click.argument("title")
@click.argument("vault_arg", metavar="[VAULT]", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--principle", "-p", required=True, help="The principle the story is for (any spelling lpvault accepts).")
@click.option("--vault", "vault_option", type=click.Path(file_okay=False, path_type=Path),
              help="The vault, as the VAULT argument (default: the current folder).")
@click.option("--folder", default="", metavar="FOLDER",
              help="Folder inside the vault for the note (made if missing; default: the vault's top level).")
def new(title: str, vault_arg: Path | None, principle: str, vault_option: Path | None, folder: str) -> None:
    """Write a blank STAR skeleton note for a new story (from templates/story.md.j2).

    The note is named after TITLE and refuses (exit 1) to overwrite one that
    exists. Until its parts are filled in, `lpvault lint` reports it as a blank skeleton.

    \b
    Examples:
      lpvault new "Cut invoice support tickets" --principle "Customer Obsession"
      lpvault new "Cut invoice support tickets" ~/Notes -p Frugality --folder Stories
    """
    from lpvault.pipeline import make_catalog
    from lpvault.scaffold import new_story

    if vault_arg is not None and vault_option is not None and vault_arg != vault_option:
        raise click.UsageError(f"two vaults given: {vault_arg} and --vault {vault_option}")
    vault = vault_arg or vault_option or Path(".")
    config = _config(vault)
    catalog = make_catalog(config)
    found = catalog.match(principle)
    if found is None:
        near = catalog.near_miss(principle)
        hint = f": did you mean '{near.name}'?" if near else " (see the principles in your hub note)"
        raise click.BadParameter(f"'{principle}' is not a principle{hint}", param_hint="'--principle'")
    templates = vault / config.templates_dir if config.templates_dir else None
    try:
        path = new_story(vault, title, found, templates_dir=templates, folder=folder)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--folder'") from None
    except FileExistsError as error:
        click.echo(f"{error.filename or error}: already exists; not overwritten", err=True)
        sys.exit(1)
    except _template_error() as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"wrote {path}")


@main.command(short_help="Print the tags, headings and links of every note.")
@COLOR
@VAULT_ARG
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: counts per note; json: every tag, heading and link, with where each link leads.")
def notes(vault: Path, fmt: str) -> None:
    """Print what lpvault read from every note: tags, headings, links and where they lead.

    \b
    Examples:
      lpvault notes ~/Notes
      lpvault notes ~/Notes --format json | jq '.[].links[] | select(.resolved == null)'
    """
    from lpvault.pipeline import load_vault
    from lpvault.report import notes_as

    config = _config(vault)
    click.echo(notes_as(load_vault(vault, config), fmt), nl=False)


if __name__ == "__main__":  # pragma: no cover
    run()
