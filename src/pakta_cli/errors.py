"""The errors pakta raises: each carries a one-line message, an optional hint and an exit code.

The library only raises these; `pakta_cli.cli` is the single place that prints them and exits.
Exit codes: 1 for a verification that failed, 2 for a usage or input problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pakta_cli.i18n import _, ngettext

EXIT_VERIFY_FAILED = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Location:
    """Where in an input file a problem is; line and column are 1-based.

    In a workbook's sheet the place reads as Excel shows it, `people.xlsx[Sheet1]:4:B`: the sheet in
    brackets (Excel forbids brackets and colons in sheet names), the row, and the column's letters.
    """

    path: Path | str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        text = str(self.path) if self.sheet is None else f"{self.path}[{self.sheet}]"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column if self.sheet is None else column_letters(self.column)}"
        return text


def column_letters(column: int) -> str:
    """A 1-based column number as Excel names it: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, reported as `file:line:col: message`."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class PaktaError(Exception):
    """Base of everything pakta reports to a person instead of a traceback.

    The library names no command-line flag: a message or hint that the command line can say better
    with its own options carries `about`, a stable key, and the `fields` to fill in, and
    `pakta_cli.cli.wording` says it there ("pass --force to overwrite it" where the library says
    "overwriting it must be asked for").
    """

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None, about: str | None = None,
                 **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.about = about
        self.fields = fields

    def lines(self) -> list[str]:
        """The lines a person sees: the message first, details after."""
        return [self.message]


class InputError(PaktaError):
    """A file that is missing, unreadable or not what it should be."""


class ValidationError(PaktaError):
    """A definition or roster with problems; all of them are reported at once."""

    def __init__(self, problems: Iterable[Problem], *, hint: str | None = None, about: str | None = None) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.location.path), p.location.sheet or "",
                                                        p.location.line or 0, p.location.column or 0))
        count = len(self.problems)
        summary = ngettext("{count} problem found", "{count} problems found", count).format(count=count)
        super().__init__(summary, hint=hint, about=about)

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class KeyFileError(PaktaError):
    """A key or certificate that cannot be used (wrong passphrase, wrong algorithm, expired)."""


class SigningError(PaktaError):
    """A pact that cannot be signed as asked."""


class OutputExistsError(PaktaError):
    """pakta never overwrites a file unless asked to."""

    def __init__(self, path: Path) -> None:
        super().__init__(_("{path}: already exists").format(path=path), hint=_("overwriting it must be asked for"),
                         about="overwrite")


class SignedOutputError(PaktaError):
    """An output that would replace a signed pact: its signatures could never be given back, so not even --force."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        count = len(self.paths)
        super().__init__(
            _("{path}: already signed; pakta never overwrites a signed pact, not even when asked to").format(
                path=self.paths[0]) if count == 1
            else _("{count} of the outputs are signed pacts; pakta never overwrites a signed pact, not even when "
                   "asked to").format(count=count),
            hint=ngettext("move the signed file away (or render into another folder), then run again",
                          "move the signed files away (or render into another folder), then run again", count),
            about="signed_output" if count == 1 else "signed_outputs", path=self.paths[0], count=count,
        )

    def lines(self) -> list[str]:
        if len(self.paths) == 1:
            return [self.message]
        return [_("{path}: already signed").format(path=path) for path in self.paths]
