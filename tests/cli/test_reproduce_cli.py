"""`pakta verify --reproduce` trusts nothing in the file: no value in a pact becomes a path or code.

A pact from elsewhere is made by whoever prepared it; its embedded definition can name any
template and any logo. Re-rendering uses only the built-in template the manifest names (or the
auditor's own `--template FILE`, checked by hash), in a sandbox, with the logo the pact itself
embeds; anything else is a FAIL with its reason, and nothing on the auditor's disk is read or run.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pakta_cli.templates import TemplateSource, builtin_source
from tests.attacks import prepared
from tests.conftest import one_error, pact_definition, run_cli

MARKER = "pakta-reproduce-ran-code"


def _stream(text: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data)
    head = text.split(b"stream\n", 1)[0]
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(packed), head)
    head = re.sub(rb"/Size \d+", b"/Size %d" % len(data), head)
    return head + b"stream\n" + packed + b"\nendstream"


def forged(pdf: bytes, definition: Callable[[dict[str, Any]], dict[str, Any]],
           manifest: Callable[[dict[str, Any]], dict[str, Any]] = lambda m: m) -> bytes:
    """The pact with its embedded definition changed, and its manifest agreeing (hash and all), as a
    preparer who wants the pact to look whole would write it."""
    objects = prepared.objects_of(pdf)
    found = {}
    for number, text in objects.items():
        if b"application#2Fjson" in text:
            data = json.loads(zlib.decompress(text.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]))
            found["manifest" if "pakta_manifest" in data else "definition"] = (number, data)
    (def_num, def_data), (man_num, man_data) = found["definition"], found["manifest"]
    new_definition = json.dumps(definition(def_data), ensure_ascii=False, indent=2).encode("utf-8")
    man_data["definition"]["sha256"] = hashlib.sha256(new_definition).hexdigest()
    new_manifest = json.dumps(manifest(man_data), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    return prepared.rewritten(pdf, {def_num: _stream(objects[def_num], new_definition),
                                    man_num: _stream(objects[man_num], new_manifest)})


@pytest.fixture
def unsigned(tmp_path: Path) -> bytes:
    path = tmp_path / "pakta.yaml"
    path.write_text(pact_definition())
    assert run_cli("render", path)[0] == 0
    return path.with_suffix(".pdf").read_bytes()


def reproduces(pdf: bytes, folder: Path, *extra: str) -> dict[str, Any]:
    """The `reproduces` check of `pakta verify --reproduce --json` on `pdf` (it is unsigned: trust is moot)."""
    target = folder / "forged.pdf"
    target.write_bytes(pdf)
    trust = folder / "anyone.crt"
    if not trust.exists():
        from tests.conftest import make_identity

        trust = make_identity(folder, "Siapa Saja", passphrase=None, stem="anyone")[1]
    code, out, err = run_cli("verify", target, "--trust", trust, "--reproduce", "--json", *extra)
    assert code == 1, err  # never VALID: nobody signed it
    (document,) = json.loads(out)["documents"]
    (check,) = [c for c in document["checks"] if c["name"] == "reproduces"]
    return check  # type: ignore[no-any-return]


def test_the_honest_pact_reproduces(unsigned: bytes, tmp_path: Path) -> None:
    assert reproduces(unsigned, tmp_path)["ok"] is True


def _evil_template(folder: Path) -> Path:
    marker = folder / MARKER
    path = folder / "evil.xml.j2"
    path.write_text('{% set x = cycler.__init__.__globals__.os.popen("touch ' + str(marker) + '").read() %}'
                    + builtin_source("pakta-integritas").text)  # type: ignore[union-attr]
    return path


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_a_template_path_in_the_pact_is_never_opened(where: str, unsigned: bytes, tmp_path: Path) -> None:
    evil = _evil_template(tmp_path)
    name = str(evil) if where == "absolute" else "../../../" + evil.name
    text = evil.read_text()
    pdf = forged(unsigned, lambda d: {**d, "template": name}, lambda m: {
        **m, "template": {"name": name, "sha256": TemplateSource(name, text).sha256}})
    check = reproduces(pdf, tmp_path)
    assert check["ok"] is False and "is not built in" in json.dumps(check), check
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("logo", ["/etc/hostname", "../../../../etc/hostname", "sub/../../x.png"])
def test_a_logo_path_in_the_pact_is_never_read(logo: str, unsigned: bytes, tmp_path: Path) -> None:
    pdf = forged(unsigned, lambda d: {**d, "institution": {**d["institution"], "logo": logo}})
    check = reproduces(pdf, tmp_path)
    assert check["ok"] is False, check
    assert "hostname" not in json.dumps(check) or "not embedded" in json.dumps(check)


def test_a_custom_template_reproduces_only_with_the_auditors_file(tmp_path: Path) -> None:
    template = tmp_path / "mine.xml.j2"
    template.write_text(builtin_source("pakta-integritas").text.replace("PAKTA INTEGRITAS",  # type: ignore[union-attr]
                                                                         "PAKTA INTEGRITAS KAMI"))
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition().replace("template: pakta-integritas", "template: mine.xml.j2"))
    assert run_cli("render", definition)[0] == 0
    pdf = definition.with_suffix(".pdf").read_bytes()
    elsewhere = tmp_path / "auditor"
    elsewhere.mkdir()
    without = reproduces(pdf, elsewhere)
    assert without["ok"] is False and "is not built in" in json.dumps(without)
    assert reproduces(pdf, elsewhere, "--template", str(template))["ok"] is True
    other = elsewhere / "other.xml.j2"
    other.write_text(template.read_text() + "\n")
    assert "hash differs" in json.dumps(reproduces(pdf, elsewhere, "--template", str(other)))


def test_a_template_that_tries_code_runs_none_even_when_the_auditor_passes_it(tmp_path: Path) -> None:
    """The auditor downloaded the template with the pact and passes it on: it still renders in the
    sandbox, so the attempt is a FAIL with its line, and nothing runs."""
    evil = _evil_template(tmp_path)
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition().replace("template: pakta-integritas", "template: mine.xml.j2"))
    honest = tmp_path / "mine.xml.j2"
    honest.write_text(builtin_source("pakta-integritas").text)  # type: ignore[union-attr]
    assert run_cli("render", definition)[0] == 0
    pdf = forged(definition.with_suffix(".pdf").read_bytes(), lambda d: d, lambda m: {
        **m, "template": {"name": "mine.xml.j2", "sha256": TemplateSource("mine.xml.j2", evil.read_text()).sha256}})
    elsewhere = tmp_path / "auditor"
    elsewhere.mkdir()
    check = reproduces(pdf, elsewhere, "--template", str(evil))
    assert check["ok"] is False and "template" in json.dumps(check).lower()
    assert not (tmp_path / MARKER).exists()


def _moved_text(pdf: bytes) -> bytes:
    """The pact with one line of its first page drawn elsewhere: content pakta's grammar allows, and
    no longer the rendering of its definition (as words drawn over others, in any colour, would be)."""
    page = prepared.object_with(pdf, b"/Type /Page ")
    number = int(re.search(rb"/Contents (\d+) 0 R", prepared.objects_of(pdf)[page]).group(1))  # type: ignore[union-attr]
    text = prepared.objects_of(pdf)[number]
    data = zlib.decompress(text.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0])
    moved = re.sub(rb"1 0 0 1 ([\d.]+) ([\d.]+) Tm", lambda m: b"1 0 0 1 %s 400 Tm" % m.group(1), data, count=1)
    assert moved != data
    packed = zlib.compress(moved)
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(packed), text.split(b"stream\n", 1)[0])
    return prepared.rewritten(pdf, {number: head + b"stream\n" + packed + b"\nendstream"})


def test_verify_re_renders_unless_told_not_to(unsigned: bytes, tmp_path: Path) -> None:
    """By default a verdict proves the pages: a page whose drawing is not the rendering FAILs, even
    though every operation on it is one pakta draws. `--no-reproduce` says what its verdict lacks."""
    from tests.conftest import make_identity

    target = tmp_path / "moved.pdf"
    target.write_bytes(_moved_text(unsigned))
    trust = make_identity(tmp_path, "Siapa Saja", passphrase=None, stem="anyone")[1]
    code, out, err = run_cli("verify", target, "--trust", trust, "--json")
    (document,) = json.loads(out)["documents"]
    assert code == 1 and document["status"] == "FAIL", err
    (check,) = [c for c in document["checks"] if c["name"] == "reproduces"]
    assert not check["ok"] and check["messages"][0]["en"] == \
        "re-rendering the embedded definition does not give the signed bytes"
    assert [c["name"] for c in document["checks"] if not c["ok"]] == ["all_parties_signed", "reproduces"]

    code, out, err = run_cli("verify", target, "--trust", trust, "--no-reproduce", "--json")
    (document,) = json.loads(out)["documents"]
    assert document["status"] == "INCOMPLETE" and "reproduces" not in [c["name"] for c in document["checks"]]
    assert "--no-reproduce: pages are checked against pakta's grammar, not re-rendered" in err
    code, _, err = run_cli("verify", target, "--trust", trust, "--no-reproduce", "--template", trust)
    one_error(code, err, "--template is for re-rendering, which --no-reproduce turns off")


def test_a_pact_rendered_by_another_version_says_which(unsigned: bytes, tmp_path: Path) -> None:
    from pakta_cli import __version__

    pdf = forged(unsigned, lambda d: d, lambda m: {**m, "pakta_version": "0.0.9"})
    check = reproduces(pdf, tmp_path)
    assert check["ok"] is False
    assert check["messages"][0]["en"] == f"rendered by pakta 0.0.9: re-rendering needs that version (this is pakta " \
                                         f"{__version__})"


def test_a_pact_deflated_by_another_zlib_reproduces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """zlib-ng (Fedora's zlib) and hardware deflaters write other bytes for the same data: a pact rendered
    on such a machine re-renders here to the same objects, each stream the same once inflated. Only a
    complete zlib stream counts: bytes after its end, which readers treat differently, still FAIL."""
    import zlib as real

    from pakta_cli import render as rendering

    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition())
    deflate = real.compress
    monkeypatch.setattr(real, "compress", lambda data, level=-1, **_: deflate(data, 1))  # the clerk's machine
    rendering._deflated.cache_clear()
    assert run_cli("render", definition, "-o", tmp_path / "elsewhere.pdf")[0] == 0
    monkeypatch.undo()
    rendering._deflated.cache_clear()
    assert run_cli("render", definition, "-o", tmp_path / "here.pdf")[0] == 0
    elsewhere = (tmp_path / "elsewhere.pdf").read_bytes()
    assert elsewhere != (tmp_path / "here.pdf").read_bytes()
    check = reproduces(elsewhere, tmp_path)
    assert check["ok"] is True, check

    # the same pact with bytes after one stream's zlib end (the stream's /Length covering them)
    objects = prepared.objects_of(elsewhere)
    number = next(n for n, text in objects.items() if b"/FlateDecode" in text and b"stream\n" in text)
    head, rest = objects[number].split(b"stream\n", 1)
    data = rest.rsplit(b"\nendstream", 1)[0] + b"junk"
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(data), head)
    padded = prepared.rewritten(elsewhere, {number: head + b"stream\n" + data + b"\nendstream"})
    assert reproduces(padded, tmp_path)["ok"] is False
