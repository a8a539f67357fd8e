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
from pakta_cli.i18n import N_, _
from pakta_cli.keys import MIN_PASSPHRASE, key_is_encrypted

ENV = "PAKTA_PASSPHRASE"

PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", metavar="FILE",
                 help=N_("Read the passphrase from the first line of FILE (else $PAKTA_PASSPHRASE, else a prompt).")),
]
NoPassphrase = Annotated[
    bool,
    typer.Option("--no-passphrase",
                 help=N_("Write the key UNENCRYPTED: anyone who can read the file can sign in its name.")),
]


def _given(passphrase_file: Path | None) -> bytes | None:
    """The passphrase from --passphrase-file (its first line) or the environment, if either is set."""
    if passphrase_file is not None:
        data = read_file(passphrase_file, N_("passphrase file"))
        line = data.splitlines()[0] if data else b""
        if not line:
            raise KeyFileError(_("{file}: the passphrase file is empty (pakta reads its first line)").format(
                file=passphrase_file))
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
            _("no passphrase given"),
            hint=_("type it at the prompt, or use --passphrase-file FILE or the {variable} variable").format(
                variable=ENV),
        ) from None
    finally:
        if not sys.stderr.isatty():  # a terminal got getpass's newline; a log file did not
            typer.echo("", err=True)


def passphrase_to_unlock(key_path: Path, passphrase_file: Path | None, what: str | None = None) -> bytes | None:
    """The passphrase for an existing key (`what` names it in the prompt: the CA's key); None when the key
    is not encrypted (no prompt then)."""
    if not key_path.exists():
        return None  # the loader reports the missing file
    if not key_is_encrypted(key_path):
        return None
    given = _given(passphrase_file)
    if given is not None:
        return given
    return _prompt(_("Passphrase for {what} {file}").format(what=what or _("key"), file=key_path)).encode("utf-8")


def passphrase_for_new_key(passphrase_file: Path | None, no_passphrase: bool, what: str) -> bytes | None:
    """The passphrase to encrypt a new key with; asked twice at a prompt so a typo cannot lock it."""
    if no_passphrase:
        if passphrase_file is not None:
            raise InputError(_("--no-passphrase and --passphrase-file contradict each other"))
        note(_("warning: writing the {what} UNENCRYPTED, as asked (--no-passphrase): anyone who can "
               "read the file can sign in its name").format(what=what))
        return None
    given = _given(passphrase_file)
    if given is not None:
        return given
    first = _prompt(_("New passphrase for the {what} (at least {count} characters)").format(
        what=what, count=MIN_PASSPHRASE))
    if len(first) < MIN_PASSPHRASE:
        raise KeyFileError(_("the passphrase must have at least {count} characters").format(count=MIN_PASSPHRASE),
                           hint=_("a sentence you remember is better than a short word"))
    second = _prompt(_("Repeat the passphrase"))
    if first != second:
        raise KeyFileError(_("the two passphrases differ; nothing was written"))
    return first.encode("utf-8")
