"""Where a passphrase comes from: a prompt, `--passphrase-file FILE`, or `PAKTA_PASSPHRASE`.

Never from a command-line argument: those end up in shell history and in `ps` for everyone on the
machine to read. The order is: the file when given, else the environment variable, else a prompt
(asked twice when a new key is made). A batch asks once, before any file is touched.
"""

from __future__ import annotations

import getpass
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from pakta_cli.cli.console import note
from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import read_file
from pakta_cli.keys import MIN_PASSPHRASE, key_is_encrypted

ENV = "PAKTA_PASSPHRASE"

PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", metavar="FILE",
                 help=f"Read the passphrase from the first line of FILE (else ${ENV}, else a prompt)."),
]
NoPassphrase = Annotated[
    bool,
    typer.Option("--no-passphrase",
                 help="Write the key UNENCRYPTED: anyone who can read the file can sign in its name."),
]


def _given(passphrase_file: Path | None) -> bytes | None:
    """The passphrase from --passphrase-file (its first line) or the environment, if either is set."""
    if passphrase_file is not None:
        data = read_file(passphrase_file, "passphrase file")
        line = data.splitlines()[0] if data else b""
        if not line:
            raise KeyFileError(f"{passphrase_file}: the passphrase file is empty (pakta reads its first line)")
        return line
    env = os.environ.get(ENV)
    return env.encode("utf-8") if env else None


def _prompt(label: str) -> str:
    try:
        with warnings.catch_warnings():  # getpass's "Can not control echo" warning names its own source line
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            # on stderr: `pakta sign ... --json > results.json` must get JSON only
            return str(typer.prompt(label, hide_input=True, prompt_suffix=": ", err=True))
    except (typer.Abort, EOFError):  # end of input at the prompt (typer vendors its own click)
        raise KeyFileError(
            "no passphrase given",
            hint=f"type it at the prompt, or use --passphrase-file FILE or the {ENV} variable",
        ) from None
    finally:
        if not sys.stderr.isatty():  # a terminal got getpass's newline; a log file did not
            typer.echo("", err=True)


def passphrase_to_unlock(key_path: Path, passphrase_file: Path | None, what: str = "key") -> bytes | None:
    """The passphrase for an existing key; None when the key is not encrypted (no prompt then)."""
    if not key_path.exists():
        return None  # the loader reports the missing file
    if not key_is_encrypted(key_path):
        return None
    given = _given(passphrase_file)
    if given is not None:
        return given
    return _prompt(f"Passphrase for {what} {key_path}").encode("utf-8")


def passphrase_for_new_key(passphrase_file: Path | None, no_passphrase: bool, what: str) -> bytes | None:
    """The passphrase to encrypt a new key with; asked twice at a prompt so a typo cannot lock it."""
    if no_passphrase:
        if passphrase_file is not None:
            raise InputError("--no-passphrase and --passphrase-file contradict each other")
        note(f"warning: writing the {what} UNENCRYPTED, as asked (--no-passphrase): "
             "anyone who can read the file can sign in its name")
        return None
    given = _given(passphrase_file)
    if given is not None:
        return given
    first = _prompt(f"New passphrase for the {what} (at least {MIN_PASSPHRASE} characters)")
    if len(first) < MIN_PASSPHRASE:
        raise KeyFileError(f"the passphrase must have at least {MIN_PASSPHRASE} characters",
                           hint="a sentence you remember is better than a short word")
    second = _prompt("Repeat the passphrase")
    if first != second:
        raise KeyFileError("the two passphrases differ; nothing was written")
    return first.encode("utf-8")
