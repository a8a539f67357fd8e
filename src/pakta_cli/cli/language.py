"""typer and click in the run's language: help pages, the usage line and usage errors.

Help texts are marked `N_()` where commands and options are declared (at import, before any run has
chosen its language) and translated when a help page is drawn, so one process can answer in either
language. typer's own words reach the catalogs two ways: those typer passes through the standard
library's gettext (`Options`, `[default: ...]`, `Missing command.`) by `i18n.use`; those its bundled
click writes as plain English (`Usage:`, `Error:`, `Missing option`, the type names, pydantic's
reasons for a bad number) are rewritten here, by the patterns `USAGE_PROBLEMS` lists. Whatever
typer says that no pattern knows stays English.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from pakta_cli.i18n import N_, _, reworded

F = TypeVar("F", bound=Callable[..., Any])

# typer's own texts, translated through the global gettext domain: listed so Babel extracts them
TYPER_TEXTS = (
    N_("Arguments"), N_("Options"), N_("Commands"), N_("default: {default}"), N_("required"),
    N_("env var: {var}"), N_("Missing command."), N_("No such command {name!r}."), N_("Aborted!"),
)
# what the bundled click writes in English, rewritten by this module
USAGE = N_("Usage: ")
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")
HELP_OPTION = N_("Show this message and exit.")
TYPE_NAMES = {"<path>": N_("<path>"), "<str>": N_("<str>"), "<int>": N_("<int>"), "<int range>": N_("<int range>"),
              "<float>": N_("<float>"), "<float range>": N_("<float range>")}
USAGE_PROBLEMS = (
    (r"Option '(?P<option>[^']+)' requires an argument\.", N_("Option {option} requires a value.")),
    (r"Option '(?P<option>[^']+)' does not take a value\.", N_("Option {option} does not take a value.")),
    (r"Got unexpected extra arguments? \((?P<arguments>.*)\)", N_("Unexpected extra arguments: {arguments}")),
    (r"Input should be greater than or equal to (?P<limit>\S+)", N_("it must be at least {limit}")),
    (r"Input should be less than or equal to (?P<limit>\S+)", N_("it must be at most {limit}")),
    (r"Input should be a valid integer.*", N_("it must be a whole number")),
    (r"Input should be a valid number.*", N_("it must be a number")),
    (r"Input should be (?P<choices>'.*')", N_("choose {choices}")),
    (r"(?P<message>.*)\. Did you mean (?P<suggestions>.+)\?", N_("{message}. Did you mean {suggestions}?")),
)


@contextmanager
def _translated_help(objects: Sequence[Any]) -> Iterator[None]:
    """The `help` of commands and parameters in the run's language while a help page is drawn."""
    saved = [(thing, thing.help) for thing in objects if isinstance(getattr(thing, "help", None), str) and thing.help]
    for thing, text in saved:
        thing.help = _(text)
    try:
        yield
    finally:
        for thing, text in saved:
            thing.help = text


def _type_names(record: tuple[str, str]) -> tuple[str, str]:
    names, help_text = record
    for english, marked in TYPE_NAMES.items():
        names = names.replace(english, _(marked))
    return names, help_text


class Translated:
    """What pakta's commands and groups draw differently from typer's: every word in the run's language."""

    help: str | None
    options_metavar: str | None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with _translated_help([self, *self.get_params(ctx)]):  # type: ignore[attr-defined]
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [_(OPTIONS_METAVAR) if piece == OPTIONS_METAVAR else _(SUBCOMMAND_METAVAR)
                  if piece == SUBCOMMAND_METAVAR else piece for piece in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is not None:
                (arguments if param.param_type_name == "argument" else options).append(_type_names(record))
        if arguments:
            with formatter.section(_("Arguments")):
                formatter.write_dl(arguments)
        if options:
            with formatter.section(_("Options")):
                formatter.write_dl(options)


class PaktaCommand(Translated, TyperCommand):
    """A pakta command: its help page in the run's language."""


class TranslatedGroup(Translated):
    """A group's help page: the list of its commands too."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)  # what click's groups add after their options

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = [self.get_command(ctx, name) for name in self.list_commands(ctx)]  # type: ignore[attr-defined]
        with _translated_help([command for command in commands if command is not None]):
            super().format_commands(ctx, formatter)  # type: ignore[misc]


class PaktaSubGroup(TranslatedGroup, TyperGroup):
    """`pakta keys`, `pakta ca` and the like: their help pages in the run's language."""


def command(app: typer.Typer, name: str, help_text: str) -> Callable[[F], F]:
    """`app.command(name)` for a pakta command whose help (marked `N_`) is drawn in the run's language."""
    return app.command(name, cls=PaktaCommand, help=help_text)


class UsageProblem(typer.BadParameter):
    """A usage error as typer found it, said in the run's language (typer shows it and exits 2)."""

    def __init__(self, original: Any) -> None:
        super().__init__(usage_message(original), ctx=original.ctx)

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        file = file if file is not None else sys.stderr
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=self.ctx.help_option_names[0]) + "\n"
            typer.echo(f"{self.ctx.get_usage()}\n{hint}", file=file)
        typer.echo(_("Error: {message}").format(message=self.message), file=file)


def _hint(exc: Any) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
    elif exc.param is None:
        hint = ""
    else:  # typer's parameters take no context here, click's own take one
        try:
            hint = exc.param.get_error_hint()
        except TypeError:
            hint = exc.param.get_error_hint(exc.ctx)
    return hint if isinstance(hint, str) else " / ".join(repr(part) for part in hint)


def usage_message(exc: Any) -> str:
    """What typer's usage error says, in the run's language as far as its words are known."""
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        missing = {"option": _("Missing option {name}."), "argument": _("Missing argument {name}.")}
        return missing.get(kind, _("Missing parameter {name}.")).format(name=_hint(exc))
    if isinstance(exc, BadParameter):
        return _("Invalid value for {name}: {problem}").format(name=_hint(exc), problem=detail(exc.message))
    if isinstance(exc, NoSuchOption):
        said = _("No such option: {option}").format(option=exc.option_name)
        if exc.possibilities:
            said += " " + _("(Possible options: {options})").format(options=", ".join(sorted(exc.possibilities)))
        return said
    return detail(str(exc.message))


def detail(english: str) -> str:
    """One of click's or pydantic's English sentences, in the run's language when a pattern knows it."""
    return reworded(english, USAGE_PROBLEMS)


class UsageErrors(TyperGroup):
    """The root group's part: typer's usage errors rewritten in the run's language before typer shows them."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with _in_language():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _in_language():
            return super().invoke(ctx)


@contextmanager
def _in_language() -> Iterator[None]:
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageProblem:
        raise
    except UsageError as exc:
        raise UsageProblem(exc) from None
