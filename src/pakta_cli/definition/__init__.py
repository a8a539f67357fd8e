"""Pact definitions: the typed model, the YAML loader and roster expansion."""

from pakta_cli.definition.loader import load_definition, parse_definition
from pakta_cli.definition.model import Institution, Pact, Party, Program, Target
from pakta_cli.definition.roster import RosterEntry, load_roster

__all__ = [
    "Institution",
    "Pact",
    "Party",
    "Program",
    "RosterEntry",
    "Target",
    "load_definition",
    "load_roster",
    "parse_definition",
]
