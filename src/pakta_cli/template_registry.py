"""The built-in templates as data: their names, what each needs from a definition, their files.

Both the definition loader (which checks a definition against its template) and the template
engine (which renders one) read this; neither imports the other, and this module imports neither.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from pakta_cli.i18n import N_, _

SUFFIX = ".xml.j2"
MACROS = "_macros.xml.j2"


@dataclass(frozen=True)
class BuiltIn:
    description: str
    required_roles: tuple[str, ...]
    max_signers: int | None = None  # a performance agreement binds one PIHAK PERTAMA
    ignores: tuple[str, ...] = ()  # definition keys this template never prints: giving one is an error
    # who signs first when the definition does not say (`signing_order:`): the person who makes the
    # statement (PIHAK PERTAMA in a Perjanjian Kinerja), then the superior, then the witnesses
    signing_order: str = "sequential"


BUILT_INS: dict[str, BuiltIn] = {
    "pakta-integritas": BuiltIn(
        N_("Pakta Integritas (PermenPAN-RB 49/2011): identity, numbered commitments, optional superior and "
           "witnesses"),
        ("signer",),
        ignores=("targets", "programs"),
    ),
    "pernyataan-bebas-benturan-kepentingan": BuiltIn(
        N_("Pernyataan Bebas Benturan Kepentingan (PermenPANRB 17/2024): conflict-of-interest statement"),
        ("signer",),
        ignores=("targets", "programs"),
    ),
    "perjanjian-kinerja": BuiltIn(
        N_("Perjanjian Kinerja (PermenPAN-RB 53/2014): PIHAK PERTAMA and PIHAK KEDUA, annex of targets and "
           "budget"),
        ("signer", "superior"),
        1,
        ignores=("context", "closing"),
    ),
}

# The only files a template may import, include or extend: pakta's own, shipped in the package.
BUILTIN_FILES: tuple[str, ...] = (MACROS, *(name + SUFFIX for name in BUILT_INS))


# A custom template has the built-ins' roles, which mean what they mean there: it signs as they do.
CUSTOM_SIGNING_ORDER = "sequential"


def signing_order(template: str, stated: str | None) -> str:
    """The order a pact is signed in: what its definition states, else its template's default."""
    if stated is not None:
        return stated
    built_in = BUILT_INS.get(template)
    return built_in.signing_order if built_in else CUSTOM_SIGNING_ORDER


def template_problem(name: str, base_dir: Path) -> str | None:
    """Why `name` names no template, or None when it does."""
    if name in BUILT_INS:
        return None
    if ("/" in name or name.endswith(".j2")) and (base_dir / name).is_file():
        return None
    if "/" in name or name.endswith(".j2"):
        return _("template file {name!r} not found (looked in {folder})").format(name=name, folder=base_dir)
    close = difflib.get_close_matches(name, list(BUILT_INS), n=1)
    if close:
        return _("unknown template {name!r}; did you mean {close!r}?").format(name=name, close=close[0])
    return _("unknown template {name!r}; built-in templates are: {names} (or a path to a .j2 file)").format(
        name=name, names=", ".join(BUILT_INS))
