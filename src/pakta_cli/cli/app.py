"""The `pakta` command: one typer app, one module per verb, one place that turns errors into lines.

Library code raises PaktaError; `PaktaGroup.invoke` is the only place that prints one and exits,
so every command reports bad input the same way: `error: ...` on stderr, a hint, exit code 2
(1 for a failed verification), and a traceback only with --debug.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from pakta_cli import __version__, i18n
from pakta_cli.cli import console
from pakta_cli.cli.language import PaktaSubGroup, TranslatedGroup, UsageErrors
from pakta_cli.errors import InputError, PaktaError
from pakta_cli.i18n import N_, _

INTERNAL_ERROR = 3


# Each command's module is imported only when that command runs (or help lists it): `pakta verify`
# is run once per file by scripts and must not pay for ReportLab, Jinja and pyHanko at start-up.
COMMANDS = {
    "render": "render", "check": "render", "templates": "render", "keys": "keys", "ca": "ca",
    "sign": "sign", "archive": "archive", "verify": "verify", "serve": "serve", "demo": "demo",
}


@cache
def _module_commands(module: str) -> dict[str, Any]:
    """The click commands one pakta_cli.cli module registers, by name."""
    holder = typer.Typer(cls=PaktaSubGroup, rich_markup_mode=None)
    importlib.import_module(f"pakta_cli.cli.{module}").register(holder)

    @holder.callback()
    def _group() -> None:  # a callback keeps typer from collapsing a one-command app into that command
        pass

    group = typer.main.get_command(holder)
    return dict(group.commands)  # type: ignore[attr-defined]


def language_asked(args: Sequence[str]) -> str | None:
    """The `--lang` given before the command's name, read before typer parses anything: the help page
    and the usage errors of that very parse are in it too."""
    for index, arg in enumerate(args):
        if arg.startswith("--lang="):
            return i18n.language_of(arg.partition("=")[2])
        if arg == "--lang":
            return i18n.language_of(args[index + 1]) if index + 1 < len(args) else None
        if not arg.startswith("-"):
            return None
    return None


class PaktaGroup(TranslatedGroup, UsageErrors):
    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """One run in one language (`--lang`, else the environment's), and afterwards what was before."""
        arguments = list(sys.argv[1:] if args is None else args)
        with i18n.speaking(language_asked(arguments) or i18n.from_environment()):
            return super().main(arguments, *rest, **extra)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        module = COMMANDS.get(name)
        return _module_commands(module).get(name) if module else None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PaktaError as exc:
            if console.state.debug:
                raise
            console.report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except (TyperException, typer.Exit, typer.Abort):  # usage errors: typer reports them, exit 2
            raise
        except KeyboardInterrupt:
            # outputs are written whole and renamed into place: what exists is complete, the rest is not there
            console.err.print(_("interrupted; no file was left half-written"), style="yellow", highlight=False)
            raise typer.Exit(130) from None
        except Exception as exc:
            if console.state.debug:
                raise
            console.err.print(_("internal error: {kind}: {error}").format(kind=type(exc).__name__, error=exc),
                              style="bold red", highlight=False, markup=False)
            console.err.print(_("hint: this is a bug in pakta; run again with --debug and report the traceback"),
                              highlight=False, markup=False)
            raise typer.Exit(INTERNAL_ERROR) from None


app = typer.Typer(
    cls=PaktaGroup,
    name="pakta",
    help=N_("Render, sign and verify integrity pacts (Pakta Integritas) as signed PDFs.\n\n"
            "Exit codes: 0 success, 1 verification failed, 2 usage or input error."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pakta {__version__}")
        raise typer.Exit()


class Language(StrEnum):
    id = "id"
    en = "en"


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help=N_("Show tracebacks instead of one-line errors."))] = False,
    lang: Annotated[Language | None, typer.Option(
        "--lang", help=N_("The language pakta speaks: id (Bahasa Indonesia) or en (English). [default: $PAKTA_LANG, "
                          "else the locale's (LC_ALL, LC_MESSAGES, LANG: id_ID gives Indonesian), else en]"),
        show_default=False)] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=N_("Print the version and exit."))
    ] = False,
) -> None:
    """The options before the command; `--lang` is read before parsing (`PaktaGroup.main`), and checked here."""
    console.state.debug = debug
    asked = os.environ.get("PAKTA_LANG", "")
    if lang is None and asked.strip() and i18n.language_of(asked) is None:
        raise InputError(_("PAKTA_LANG={value}: pakta speaks id (Bahasa Indonesia) or en (English)").format(
            value=asked), hint=_("set PAKTA_LANG=id or PAKTA_LANG=en, or give --lang"))


def main() -> None:
    app(prog_name="pakta")
    sys.exit(0)
