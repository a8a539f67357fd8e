"""The --trust and --crl options `pakta verify` and `pakta serve` share, and how they are loaded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pakta_cli.i18n import N_, _

if TYPE_CHECKING:
    from cryptography import x509

TrustOption = Annotated[
    list[Path] | None,
    typer.Option("--trust", "-t", help=N_("A certificate to trust (an official's, or an institution's "
                                          "CA root), or a folder of them. Repeatable; required."),
                 metavar="CERT_OR_DIR"),
]
CrlOption = Annotated[
    list[Path] | None,
    typer.Option("--crl", help=N_("A revocation list signed by a --trust CA. Repeatable."), metavar="FILE"),
]

TsaTrustOption = Annotated[
    list[Path] | None,
    typer.Option("--tsa-trust", help=N_("The root certificate of a timestamp authority whose "
                                        "timestamps you trust (a --trust CA root counts too). Repeatable."),
                 metavar="CERT_OR_DIR"),
]


def load_tsa_trust(paths: list[Path] | None) -> list[x509.Certificate]:
    """The certificates trusted for timestamps (files or folders, like --trust): each a CA's, or a timestamp
    authority's own. An official's certificate never vouches for a time: it would let a signer attest
    their own, so one given here is refused rather than quietly never used."""
    if not paths:
        return []
    from pakta_cli.certificates import display_name, is_ca
    from pakta_cli.errors import InputError
    from pakta_cli.timestamps import is_time_stamping
    from pakta_cli.trust import load_trust

    certificates = load_trust(paths)
    for certificate in certificates:
        if not is_ca(certificate) and not is_time_stamping(certificate):
            raise InputError(_("--tsa-trust {name}: neither a CA's certificate nor a timestamp authority's").format(
                                 name=display_name(certificate.subject)),
                             hint=_("give the root certificate the timestamp authority's operator publishes; an "
                                    "official's certificate goes to --trust"))
    return certificates


def load_trust_options(trust: list[Path] | None, crl: list[Path] | None, verb: str
                       ) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """The trusted certificates and the CRLs they signed; a note when a CA comes without its CRL."""
    from pakta_cli.certificates import is_ca
    from pakta_cli.cli.console import note
    from pakta_cli.errors import InputError
    from pakta_cli.trust import load_crls, load_trust

    if not trust:
        raise InputError(_("no trust given: pakta {verb} trusts only the certificates you name").format(verb=verb),
                         hint=_("pass --trust CERT (an official's certificate or an institution's CA root)"))
    roots = load_trust(trust)
    crls = load_crls(crl or [], roots)
    if not crls and any(is_ca(root) for root in roots):
        note(_("note: no --crl given: a certificate the CA revoked is caught only where a pact carries a CRL "
               "that can answer for it (pakta archive)"))
    return roots, crls
