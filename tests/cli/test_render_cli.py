"""`pakta render`, `check` and `templates` run as a clerk runs them: output, messages, exit codes."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pakta_cli.cli.app import app
from tests.test_render import DEFINITION

runner = CliRunner()

ROSTER = """\
name,nik,position,area
I Made Suarjana,5171041203850001,Ketua PPS,Desa Dauh Puri
Ni Kadek Ayu Lestari,5171045705900002,Anggota PPS,Desa Dauh Puri
"Daeng ""Bugis"" & <Co>",7371011010880003,Anggota PPS,Desa Dauh Puri
Sitorus Pane,1271021111790004,Sekretaris PPS,Desa Dauh Puri
"""


@pytest.fixture
def definition(tmp_path: Path) -> Path:
    path = tmp_path / "pakta.yaml"
    path.write_text(DEFINITION)
    return path


@pytest.fixture
def roster_definition(tmp_path: Path) -> Path:
    path = tmp_path / "adhoc.yaml"
    signer_free = DEFINITION.replace("role: signer", "role: superior").replace(
        '    nip: 198609262015051001\n', '    nip: 198609262015051001\n', 1
    )
    path.write_text(signer_free)
    (tmp_path / "people.csv").write_text(ROSTER)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_render_one(definition: Path) -> None:
    code, _, err = run("render", str(definition))
    assert code == 0, err
    out = definition.with_suffix(".pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"rendered {out}" in err


def test_render_refuses_to_overwrite(definition: Path) -> None:
    target = definition.parent / "out.pdf"
    target.write_bytes(b"signed pact, precious")
    code, _, err = run("render", str(definition), "-o", str(target))
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert target.read_bytes() == b"signed pact, precious"
    assert run("render", str(definition), "-o", str(target), "--force")[0] == 0
    assert target.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("date: 2024-01-02", "date: 2024-02-30"), "pakta.yaml:7:7: impossible date 2024-02-30"),
        (lambda t: t.replace("context:", "kontext:"), "pakta.yaml:8:1: unknown key 'kontext'"),
        (lambda t: t.replace("nip: 198609262015051001", "nip: 1986"), "pakta.yaml:15:10: NIP must have 18 digits"),
        (lambda t: t + "  - [unclosed\n", "pakta.yaml:20:1: not valid YAML"),
        (lambda t: t.replace("pakta-integritas", "nope"), "pakta.yaml:2:11: unknown template 'nope'"),
        (lambda t: t.replace("  address:", "  logo: missing.png\n  address:"), "logo file 'missing.png' not found"),
        (lambda t: "", "pakta.yaml:1:1: the definition is empty"),
        # optional text that is there but wrong is reported, never dropped
        (lambda t: t.replace("place: Denpasar", "place:"), "pakta.yaml:6:7: place must not be empty"),
        (lambda t: t.replace("context: penyelenggaraan Pemilu Serentak Tahun 2024", "context: [a, b]"),
         "pakta.yaml:8:10: context must be text, not a list"),
        (lambda t: t.replace("place: Denpasar", "place: Denpasar\ntitle: {x: 1}"),
         "pakta.yaml:7:8: title must be text, not a mapping"),
        (lambda t: t.replace("place: Denpasar", "place: Denpasar\nverify_url: not a url"),
         "pakta.yaml:7:13: verify_url must be a web address"),
        (lambda t: t.replace("  address:", "  logo: fake.png\n  address:"),
         "pakta.yaml:5:9: logo 'fake.png': not an image pakta can draw (use PNG or JPEG)"),
        (lambda t: t.replace("  address:", "  logo: half.png\n  address:"),
         "pakta.yaml:5:9: logo 'half.png': damaged image"),
        (lambda t: t + "targets:\n  - {goal: a, indicator: b, target: c}\n",
         "pakta.yaml:20:3: template 'pakta-integritas' does not print targets"),
        (lambda t: re.sub(r"commitments:\n(  - .*\n)+", "commitments: []\n", t),
         "pakta.yaml:9:14: commitments must not be an empty list"),
        (lambda t: t.replace("    name: I Wayan Saksi\n", "    name: I Wayan Saksi\n    nip: 198609262015051001\n"),
         "parties item 2 (I Wayan Saksi) has the same NIP as item 1: one person is one party"),
    ],
)
def test_bad_definitions_exit_2_with_a_located_message_and_no_output(definition: Path, change, message) -> None:  # type: ignore[no-untyped-def]
    (definition.parent / "fake.png").write_text("not an image")
    logo = (Path(__file__).parents[2] / "examples" / "logo-kpu.png").read_bytes()
    (definition.parent / "half.png").write_bytes(logo[: len(logo) // 2])
    definition.write_text(change(DEFINITION))
    before = listing(definition.parent)
    code, out, err = run("render", str(definition))
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert listing(definition.parent) == before


@pytest.mark.parametrize(("budget", "ok"), [("1250000", True), ("1.250.000", True), ("1_250_000", True),
                                           ("1500.75", False), ("6.48.2", False), ("1,5", False)])
def test_budgets_take_dots_only_as_thousands(tmp_path: Path, budget: str, ok: bool) -> None:
    kinerja = (Path(__file__).parents[2] / "examples" / "kpu-kediri-2026" / "perjanjian-kinerja.yaml").read_text()
    head, _, rest = kinerja.partition("budget: ")
    path = tmp_path / "kediri" / "pk.yaml"  # the example's logo is one folder up
    path.parent.mkdir()
    path.write_text(head + "budget: " + budget + rest[rest.index("\n"):])
    (tmp_path / "logo-kpu.png").write_bytes((Path(__file__).parents[2] / "examples" / "logo-kpu.png").read_bytes())
    code, _, err = run("check", str(path))
    if ok:
        assert code == 0, err
    else:
        assert code == 2 and f"must be a whole number, not '{budget}'" in err and "1.250.000" in err


def test_a_roster_row_cannot_be_the_superior(roster_definition: Path, tmp_path: Path) -> None:
    (tmp_path / "nip.csv").write_text("name,nip\nI Made Suarjana,198609262015051001\n")
    code, _, err = run("check", str(roster_definition), "--roster", str(tmp_path / "nip.csv"))
    assert code == 2
    assert f"{tmp_path / 'nip.csv'}:2:2: same NIP as the definition's superior" in err
    assert "one person is one party" in err


def test_two_people_with_one_name_are_told_apart_by_nik(roster_definition: Path, tmp_path: Path) -> None:
    (tmp_path / "budi.csv").write_text("name,position\nBudi,Anggota\nBUDI,Anggota\n")
    code, _, err = run("render", str(roster_definition), "--roster", str(tmp_path / "budi.csv"),
                       "-o", str(tmp_path / "out"))
    assert code == 2 and "budi.csv:3:1: same file name as row 2 (budi.pdf)" in err and "NIK" in err
    assert not (tmp_path / "out").exists()


def test_a_custom_templates_mistakes_are_located_and_check_finds_them(definition: Path) -> None:
    code, source, _ = run("templates", "pakta-integritas")
    assert code == 0
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if "m.title(" in line)
    for mistake, message in ((lines[at].replace("m.title(", "m.titel("), "template uses an undefined value"),
                             ("{{ 1 / 0 }}" + lines[at], "the template failed: ZeroDivisionError")):
        changed = [*lines[:at], mistake, *lines[at + 1:]]
        (definition.parent / "mine.xml.j2").write_text("\n".join(changed) + "\n")
        definition.write_text(DEFINITION.replace("template: pakta-integritas", "template: mine.xml.j2"))
        before = listing(definition.parent)
        for command in ("check", "render"):
            code, out, err = run(command, str(definition))
            assert code == 2, err
            assert f"error: mine.xml.j2:{at + 1}: {message}" in err and "Traceback" not in err + out
            assert listing(definition.parent) == before


def test_check_reports_definition_and_roster_problems_together(definition: Path, tmp_path: Path) -> None:
    definition.write_text(DEFINITION.replace("date: 2024-01-02", "date: 2024-13-01"))
    (tmp_path / "people.csv").write_text("name;nik\nI Made Suarjana;123\n")
    code, _, err = run("check", str(definition), "--roster", str(tmp_path / "people.csv"))
    assert code == 2
    assert "pakta.yaml:7:7: impossible date 2024-13-01" in err and "people.csv:2:2: NIK must have 16 digits" in err
    assert "2 problems found" in err


def test_letters_the_fonts_cannot_print_are_refused_where_they_are_typed(definition: Path, tmp_path: Path,
                                                                         roster_definition: Path) -> None:
    """The embedded fonts print Latin, Greek and Cyrillic (Bookman: Latin); anything else would come
    out as a box, so it is refused where it is typed."""
    definition.write_text(DEFINITION.replace("name: I Wayan Saksi", 'name: "I Wayan 😀 Saksi"'))
    code, _, err = run("render", str(definition))
    assert code == 2
    assert "pakta.yaml:18:11: parties item 2 name: '😀' (U+1F600) cannot be printed in a pact" in err
    assert not definition.with_suffix(".pdf").exists()
    (tmp_path / "people.csv").write_text("name,nik\nÀndré Čech Łukasz Nguyễn,5171041203850001\n")
    assert run("check", str(roster_definition), "--roster", str(tmp_path / "people.csv"))[0] == 0
    (tmp_path / "people.csv").write_text("name,nik\nAndi 中文,5171041203850001\n")
    code, _, err = run("check", str(roster_definition), "--roster", str(tmp_path / "people.csv"))
    assert code == 2 and "people.csv:2:1: roster row 2 name: '中' (U+4E2D) cannot be printed" in err
    # each font has its own limit: Bookman (TeX Gyre Bonum) has no Ŧ
    definition.write_text(DEFINITION.replace("place:", "font: bookman\nplace:").replace(
        "name: I Wayan Saksi", "name: Ŧomas Saksi"))
    code, _, err = run("render", str(definition))
    assert code == 2 and "pakta.yaml:19:11: parties item 2 name: 'Ŧ' (U+0166) cannot be printed in a pact " \
        "(the bookman font has no such letter)" in err
    # no font prints other scripts in a pact: a Cyrillic letter can pass for a Latin one
    definition.write_text(DEFINITION.replace("name: I Wayan Saksi", "name: Дмитрий Saksi"))
    code, _, err = run("render", str(definition))
    assert code == 2 and "'Д' (U+0414) cannot be printed in a pact (pakta prints Latin letters" in err
    assert not definition.with_suffix(".pdf").exists()
    # letters typed with their accents apart are one letter in the pact
    definition.write_text(DEFINITION.replace("name: I Wayan Saksi", "name: Rene\u0301 Saksi"))
    assert run("render", str(definition))[0] == 0
    roster_definition.write_text(roster_definition.read_text().replace("place:", "font: bookman\nplace:"))
    (tmp_path / "people.csv").write_text("name,nik\nДмитрий,5171041203850001\n")
    code, _, err = run("render", str(roster_definition), "--roster", str(tmp_path / "people.csv"))
    assert code == 2 and "people.csv:2:1: roster row 2 name: 'Д' (U+0414)" in err


def test_what_cannot_fit_on_a_page_is_one_line_naming_its_key(definition: Path) -> None:
    definition.write_text(DEFINITION.replace("    position: Sekretaris", "    position: " + "Sekretaris " * 900))
    before = listing(definition.parent)
    code, out, err = run("render", str(definition))
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "error: layout: parties item 1 position is too long to fit on one page"
    assert "Traceback" not in err and "Flowable" not in err
    assert listing(definition.parent) == before
    code, _, err = run("check", str(definition))
    assert code == 2 and "parties item 1 position is too long" in err


def test_render_never_writes_over_its_definition(definition: Path) -> None:
    before = definition.read_bytes()
    code, _, err = run("render", str(definition), "-o", str(definition), "--force")
    assert code == 2 and f"{definition}: is an input of this render" in err
    assert definition.read_bytes() == before


def test_wrong_paths(tmp_path: Path) -> None:
    code, _, err = run("render", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml: definition not found" in err
    code, _, err = run("render", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_output_folder_must_exist(definition: Path) -> None:
    code, _, err = run("render", str(definition), "-o", str(definition.parent / "no" / "x.pdf"))
    assert code == 2 and "folder does not exist" in err


def test_debug_shows_the_traceback(definition: Path) -> None:
    definition.write_text("pakta: [")
    result = subprocess.run([sys.executable, "-m", "pakta_cli", "--debug", "render", str(definition)],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" in result.stderr
    result = subprocess.run([sys.executable, "-m", "pakta_cli", "render", str(definition)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {definition}:")


def test_check_says_ok_with_a_count(definition: Path, roster_definition: Path) -> None:
    code, out, _ = run("check", str(definition))
    assert code == 0 and out.startswith(f"OK: {definition} is a valid pakta-integritas pact with 2 parties")
    code, out, _ = run("check", str(roster_definition), "--roster", str(roster_definition.parent / "people.csv"))
    assert code == 0 and "lists 4 people" in out


def test_roster_batch_is_deterministic_across_jobs(roster_definition: Path, tmp_path: Path) -> None:
    roster = str(tmp_path / "people.csv")
    assert run("render", str(roster_definition), "--roster", roster, "-o", str(tmp_path / "a"), "--jobs", "1")[0] == 0
    code, _, err = run("render", str(roster_definition), "--roster", roster, "-o", str(tmp_path / "b"), "-j", "2")
    assert code == 0, err
    assert "rendered 4 pacts" in err
    a, b = tmp_path / "a", tmp_path / "b"
    assert listing(a) == listing(b)
    for pdf in a.glob("*.pdf"):
        assert pdf.read_bytes() == (b / pdf.name).read_bytes()
    manifest = json.loads((b / "manifest.json").read_text())
    assert manifest["count"] == 4
    first = manifest["pacts"][0]
    assert first["name"] == "I Made Suarjana" and first["nik"] == "5171041203850001"
    assert first["sha256"] == hashlib.sha256((b / first["file"]).read_bytes()).hexdigest()
    assert first["parties"] == ["pakta-signer-1", "pakta-superior-1", "pakta-witness-1"]
    assert not any(name.startswith(".") for name in listing(b))  # no staging left behind
    assert all("5171" not in p["file"] for p in manifest["pacts"])  # NIKs never in file names


def test_bad_roster_row_stops_everything(roster_definition: Path, tmp_path: Path) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text(ROSTER + "Orang Keliru,12345,Anggota,Desa\n")
    code, _, err = run("render", str(roster_definition), "--roster", str(roster), "-o", str(tmp_path / "out"))
    assert code == 2
    assert f"{roster}:6:2: NIK must have 16 digits" in err
    assert not (tmp_path / "out").exists() or listing(tmp_path / "out") == []


def test_batch_refuses_to_overwrite(roster_definition: Path, tmp_path: Path) -> None:
    roster = str(tmp_path / "people.csv")
    out = tmp_path / "out"
    assert run("render", str(roster_definition), "-r", roster, "-o", str(out))[0] == 0
    code, _, err = run("render", str(roster_definition), "-r", roster, "-o", str(out))
    assert code == 2 and "already exist" in err


def test_roster_needs_no_signer_in_the_definition_but_a_single_render_does(roster_definition: Path) -> None:
    code, _, err = run("render", str(roster_definition))
    assert code == 2 and "no party has role 'signer'" in err and "--roster" in err


def test_templates_lists_and_prints(tmp_path: Path) -> None:
    code, out, _ = run("templates")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "pakta-integritas", "pernyataan-bebas-benturan-kepentingan", "perjanjian-kinerja"]
    code, out, _ = run("templates", "pakta-integritas")
    assert code == 0 and "<pact>" in out
    code, _, err = run("templates", "nope")
    assert code == 2 and "unknown template 'nope'" in err


def test_version_and_module_entry_point() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("pakta ")
    result = subprocess.run([sys.executable, "-m", "pakta_cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == out


def test_roster_rows_replace_the_definitions_signer_and_say_so(definition: Path, tmp_path: Path) -> None:
    code, _, err = run("render", str(definition), "-r", str(tmp_path / "people.csv"), "-o", str(tmp_path / "o"))
    assert code == 2  # people.csv does not exist in this test's folder yet
    (tmp_path / "people.csv").write_text(ROSTER)
    code, _, err = run("render", str(definition), "-r", str(tmp_path / "people.csv"), "-o", str(tmp_path / "o"))
    assert code == 0, err
    assert "takes the place of the definition's signer (Ni Luh \"Ayu\" & <Putu>)" in err
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert [p["name"] for p in manifest["pacts"]][:1] == ["I Made Suarjana"]
