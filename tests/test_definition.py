"""The definition loader: every problem at once, each at file:line:col, and values kept as typed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pakta_cli.definition import load_definition, parse_definition
from pakta_cli.errors import InputError, ValidationError
from pakta_cli.identity_numbers import bare_name, nik_problem, nip_problem

GOOD = """\
pakta: 1
template: pakta-integritas
institution:
  name: Komisi Pemilihan Umum Kabupaten Kediri
  address: Jl. Pamenang No. 1, Kediri
number: 12/PP.04.2-SD/3506/2026
place: Kediri
date: 2026-01-08
context: pelaksanaan tugas sebagai penyelenggara Pemilu
commitments:
  - Tidak menerima pemberian dalam bentuk apa pun;
  - Menjaga netralitas;
parties:
  - role: signer
    name: Eka Wisnu
    nip: 19860926 201505 1 001
    position: Kepala Subbagian
  - role: superior
    name: Nanik Karsini
    nip: "197905122006042002"
"""


def parse(text: str, **kwargs: bool) -> object:
    return parse_definition(text, "def.yaml", Path("."), **kwargs)


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_good_definition_loads_typed_values() -> None:
    pact = parse(GOOD)
    assert pact.date == dt.date(2026, 1, 8)  # type: ignore[attr-defined]
    signer, superior = pact.parties  # type: ignore[attr-defined]
    assert signer.nip == "198609262015051001"  # grouping removed, digits kept as text
    assert superior.nip == "197905122006042002"
    assert [p.field_name for p in (signer, superior)] == ["pakta-signer-1", "pakta-superior-1"]


def test_unknown_key_is_an_error_with_a_suggestion() -> None:
    found = problems(GOOD.replace("context:", "contxt:"))
    assert found == ["def.yaml:9:1: unknown key 'contxt' in the definition; did you mean 'context'?"]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = GOOD.replace("2026-01-08", "2026-02-30").replace("template: pakta-integritas", "template: pakta-integritass")
    text = text.replace("nip: 19860926 201505 1 001", "nip: 19861326 201505 3 001")
    found = problems(text)
    assert found[0].startswith("def.yaml:2:11: unknown template 'pakta-integritass'; did you mean 'pakta-integritas'")
    assert found[1] == "def.yaml:8:7: impossible date 2026-02-30: day is out of range for month"
    assert found[2].startswith("def.yaml:16:10: NIP 198613262015053001: digits 1-8 must be a birth date")
    assert len(found) == 3  # the bad party is not also reported as "no signer"


def test_missing_and_wrongly_typed_fields() -> None:
    text = GOOD.replace("place: Kediri\n", "").replace("commitments:\n", "commitments: 3\nx:\n")
    found = problems(text)
    assert "def.yaml:1:1: missing required key 'place' in the definition" in found
    assert any(p.startswith("def.yaml:9:14: commitments must be a list") for p in found)


def test_no_signer_needs_a_roster() -> None:
    text = GOOD.replace("role: signer", "role: witness")
    assert any("no party has role 'signer'" in p for p in problems(text))
    assert parse(text, roster=True)


def test_wrong_role_and_empty_name() -> None:
    found = problems(GOOD.replace("role: superior", "role: boss").replace("name: Nanik Karsini", "name: ''"))
    assert any("role must be one of signer, superior, witness, not 'boss'" in p for p in found)
    assert any("name must not be empty" in p for p in found)


def test_yaml_syntax_error_has_a_position() -> None:
    found = problems("pakta: 1\ntemplate: [unclosed\n")
    assert len(found) == 1 and found[0].startswith("def.yaml:3:1: not valid YAML")


def test_missing_logo_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace("  address:", "  logo: kop.png\n  address:")
    with pytest.raises(ValidationError) as caught:
        parse_definition(text, "def.yaml", tmp_path)
    assert "logo file 'kop.png' not found" in str(caught.value.problems[0])


def performance_agreement(text: str = GOOD) -> str:
    """GOOD as a performance agreement, which has no "Dalam rangka ..." phrase to print."""
    return text.replace("pakta-integritas", "perjanjian-kinerja").replace(
        "context: pelaksanaan tugas sebagai penyelenggara Pemilu\n", "")


def test_performance_agreement_needs_a_superior() -> None:
    text = performance_agreement().replace("role: superior", "role: witness")
    assert any("needs a party with role 'superior'" in p for p in problems(text))


def test_a_key_the_template_does_not_print_is_an_error() -> None:
    found = problems(GOOD.replace("pakta-integritas", "perjanjian-kinerja"))
    assert found == ["def.yaml:9:10: template 'perjanjian-kinerja' does not print context; remove it, or choose a "
                     "template that does"]


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="definition not found"):
        load_definition(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"pakta: 1\nplace: Bal\xe9\n")
    with pytest.raises(ValidationError, match="problem"):
        load_definition(bad)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("198609262015051001", None),
        ("198609262024211001", None),  # PPPK: digits 13-14 are a code, not a month
        ("19860926201505100", "18 digits"),
        ("198602302015051001", "not a real date"),
        ("198609262015053001", "gender code"),
        ("19860926201505100X", "only digits"),
    ],
)
def test_nip_rules(number: str, problem: str | None) -> None:
    found = nip_problem(number)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("number", "ok"),
    [("5171044508900003", True), ("5171040508900003", True), ("517104450890003", False), ("5171043213900003", False)],
)
def test_nik_rules(number: str, ok: bool) -> None:
    assert (nik_problem(number) is None) is ok


def test_performance_agreement_binds_one_first_party() -> None:
    second = "  - role: signer\n    name: Orang Kedua\n"
    text = performance_agreement().replace("parties:\n", "parties:\n" + second)
    assert any("takes at most 1 signer, the definition has 2" in p for p in problems(text))


def test_font_and_meterai_are_checked_and_kept() -> None:
    text = GOOD.replace("place:", "font: bookman\nplace:").replace(
        "    position: Kepala Subbagian\n", "    position: Kepala Subbagian\n    meterai: true\n")
    pact = parse(text)
    assert pact.font == "bookman"  # type: ignore[attr-defined]
    signer, superior = pact.parties  # type: ignore[attr-defined]
    assert signer.meterai and not superior.meterai
    mapping = pact.to_mapping()  # type: ignore[attr-defined]
    assert mapping["font"] == "bookman" and mapping["parties"][0]["meterai"] is True
    assert "meterai" not in mapping["parties"][1]  # only when asked for: older definitions keep their bytes
    assert parse(GOOD).font == "arial"  # type: ignore[attr-defined]
    assert problems(GOOD.replace("place:", "font: comic sans\nplace:")) == [
        "def.yaml:7:7: font must be one of arial, times, bookman, not 'comic sans'"]
    assert problems(GOOD.replace("    position: Kepala Subbagian\n", "    position: Kepala Subbagian\n"
                                 "    meterai: perhaps\n")) == [
        "def.yaml:18:14: parties item 1 meterai must be true or false, not 'perhaps'"]


def test_a_roster_may_ask_for_a_meterai_in_indonesian() -> None:
    from pakta_cli.definition.roster import parse_roster

    (yes, no) = parse_roster("nama,nik,meterai\nA,5171044508900003,ya\nB,5171044508900004,tidak\n", "r.csv").entries
    assert yes.party.meterai and not no.party.meterai


def test_a_word_no_line_can_hold_is_refused_where_it_stands() -> None:
    """Breaking one unbreakable word over lines costs ReportLab the square of its length, and verify
    re-renders every pact: a 97,000-letter word took ten seconds. No prose has a word past 120 letters
    (the semicolon makes this one 97,001)."""
    long = "W" * 97_000
    found = problems(GOOD.replace("Menjaga netralitas;", f"Menjaga {long};"))
    assert found == [f"def.yaml:12:5: commitments item 2: a word of 97,001 letters ({'W' * 20}...); a line holds at "
                     "most 120: put spaces in it"]
    url = "https://jdih.kpu.go.id/data/data_pkpu/" + "x" * 70  # a long web address still prints
    assert parse(GOOD.replace("Menjaga netralitas;", f"Menjaga netralitas ({url});"))


@pytest.mark.parametrize(("one", "other", "same"), [
    ("Dra. Endang Retnowati, M.Si.", "Endang Retnowati", True),
    ("Prof.Dr. Ir. H. Ahmad Fauzi, M.T.", "ahmad  fauzi", True),
    ("K.H. Ahmad Dahlan", "Ahmad Dahlan", True),
    ("dr. Putu Contoh, Sp.A.", "Putu Contoh", True),
    ("Endang Retnowati", "Endang Sulastri", False),
    ("I Made Atasan", "Made Atasan", False),  # a Balinese birth-order name is part of the name, not a title
    ("H.", "H", False),  # a lone initial is a name, never dropped to nothing
])
def test_bare_name_drops_titles_and_degrees_only(one: str, other: str, same: bool) -> None:
    assert (bare_name(one) == bare_name(other)) is same
