"""The `pakta` command: one typer app, one module per verb, one place that turns errors into lines.

Library code raises PaktaError; `PaktaGroup.invoke` is the only place that prints one and exits,
so every command reports bad input the same way: `error: ...` on stderr, a hint, exit code 2
(1 for a failed verification), and a traceback only with --debug.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from pakta_cli import __version__
from pakta_cli.cli import console
from pakta_cli.errors import PaktaError

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
    holder = typer.Typer(cls=TyperGroup, rich_markup_mode=None)
    importlib.import_module(f"pakta_cli.cli.{module}").register(holder)

    @holder.callback()
    def _group() -> None:  # a callback keeps typer from collapsing a one-command app into that command
        pass

    group = typer.main.get_command(holder)
    return dict(group.commands)  # type: ignore[attr-defined]


class PaktaGroup(TyperGroup):
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
            console.err.print("interrupted; no file was left half-written", style="yellow", highlight=False)
            raise typer.Exit(130) from None
        except Exception as exc:
            if console.state.debug:
                raise
            console.err.print(
                f"internal error: {type(exc).__name__}: {exc}", style="bold red", highlight=False, markup=False
            )
            console.err.print("hint: this is a bug in pakta; run again with --debug and report the traceback",
                              highlight=False, markup=False)
            raise typer.Exit(INTERNAL_ERROR) from None


app = typer.Typer(
    cls=PaktaGroup,
    name="pakta",
    help="Render, sign and verify integrity pacts (Pakta Integritas) as signed PDFs.",
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


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Render, sign and verify integrity pacts (Pakta Integritas) as signed PDFs.

    Exit codes: 0 success, 1 verification failed, 2 usage or input error.
    """
    console.state.debug = debug


def main() -> None:
    app(prog_name="pakta")
    sys.exit(0)
