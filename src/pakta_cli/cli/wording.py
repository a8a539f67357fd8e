"""What the library reports, in the command line's words: the flags that change the outcome.

The library says what is wrong and what would help without naming an option (`pakta_cli.errors`);
an error that the command line can say better carries an `about` key, and this table gives the
message, the hint, or both, in terms of the options a person types. Each text is marked for the
catalogs and filled in with the error's `fields`.
"""

from __future__ import annotations

from pakta_cli.errors import PaktaError
from pakta_cli.i18n import N_, _

# about -> (message, hint); None keeps the library's own
WORDS: dict[str, tuple[str | None, str | None]] = {
    "overwrite": (None, N_("pass --force to overwrite it")),
    "overwrite_many": (None, N_("pass --force to overwrite them, or choose another -o")),
    "signed_output": (N_("{path}: already signed; pakta never overwrites a signed pact, not even with --force"),
                      None),
    "signed_outputs": (N_("{count} of the outputs are signed pacts; pakta never overwrites a signed pact, not even "
                          "with --force"), None),
    "roster_output": (None, N_("with --roster, -o names a folder")),
    "manifest_folder": (None, N_("--manifest takes the file: {manifest}")),
    "not_batch_manifest": (N_("{path}: not a pakta manifest.json (written by `pakta render --roster`)"), None),
    "manifest_by_hand": (None, N_("the manifest was changed by hand; use the one `pakta render --roster` wrote")),
    "sheet_of_csv": (N_("{path}: --sheet {sheet} names a sheet, but this roster is CSV, not a workbook"),
                     N_("leave out --sheet, or give the .xlsx workbook")),
    "institution_empty": (N_("--institution must not be empty"), None),
    "days": (N_("--days must be at least 1"), None),
    "no_ca": (None, N_("create one with `pakta ca init -o PREFIX --institution NAME`")),
    "ca_prefix": (None, N_("--ca takes the PREFIX given to `pakta ca init`")),
    "name_empty": (N_("--name must not be empty"), None),
    "name_unprintable": (N_("--name: {character} cannot be printed in a signature stamp"), None),
    "no_nip": (None, N_("leave --nip out for officials who have none (commissioners, ad hoc bodies)")),
    "crl_needs_issuer": (None, N_("pass a CRL with --crl, and the certificate of the CA that signed it with --trust")),
    "cert_missing": (None, N_("pass it with --cert (by default the .crt beside the key is used)")),
    "chain": (None, N_("--chain takes the CA certificate that issued yours (pakta ca issue prints it)")),
    "no_such_party": (None, N_("--party takes a party's name or its field (pakta-ROLE-N)")),
    "party_by_name": (None, N_('{name} has no NIP, NIK or key id in this pact: sign with --party "{name}" (a match '
                               "by name only, which the verdict calls weak)")),
    "not_a_pact": (None, N_("to sign another PDF on purpose, pass --any-pdf (an invisible signature)")),
    "foreign_party": (None, N_("--any-pdf signs invisibly, as nobody's party: leave --party out")),
    "key_file": (None, N_("--key takes the .key file")),
    "passphrase": (None, N_("type it at the prompt, or use --passphrase-file FILE or the PAKTA_PASSPHRASE "
                            "variable")),
    "cert_for_key": (None, N_("pass the certificate made for this key with --cert")),
    "no_trust": (None, N_("pass --trust CERT_OR_FOLDER")),
    "crl_issuer_untrusted": (None, N_("pass the CA certificate that issued it with --trust")),
    "hard_links": (None, N_("sign it into another file with -o OUT.pdf")),
    "other_output": (None, N_("choose another -o")),
    "missing_folder": (None, N_("create it first, or choose another -o")),
    "folder_prefix": (N_("{folder}: is a folder; -o takes a PREFIX, the start of the file names"),
                      N_("-o {prefix} writes {key} and {cert}")),
    "roster_needed": (None, N_("give the signers with --roster PEOPLE.xlsx (or .csv)")),
}


def said(message: str, hint: str | None, about: str | None, fields: dict[str, object]) -> tuple[str, str | None]:
    """The message and hint as the command line says them."""
    words = WORDS.get(about or "")
    if words is None:
        return message, hint
    new_message, new_hint = words
    return (_(new_message).format(**fields) if new_message else message,
            _(new_hint).format(**fields) if new_hint else hint)


def worded(exc: PaktaError) -> tuple[str, str | None]:
    return said(exc.message, exc.hint, exc.about, exc.fields)
