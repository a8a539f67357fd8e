"""Pact definitions: the typed model, the YAML loader and roster expansion."""

from pakta_cli.definition.loader import load_definition, parse_definition
from pakta_cli.definition.model import Institution, Pact, Party, Program, Target
from pakta_cli.definition.roster import Roster, RosterEntry, load_roster

__all__ = [
    "Institution",
    "Pact",
    "Party",
    "Program",
    "Roster",
    "RosterEntry",
    "Target",
    "load_definition",
    "load_roster",
    "parse_definition",
]
