"""What `pakta verify` loads: an auditor's script runs it once per file, so start-up is part of its speed.

Each function-level import in the verify path exists for one of these assertions; a change that
loads one of these packages at start-up makes this test fail and says which;
bench/verify.py measures the seconds (one file as a whole process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import AYU, MADE, make_ca, make_identity, rendered_pact, signed_pact

# What one `pakta verify one.pdf` has no use for: the renderer and its PDF library, the YAML and
# template stacks, the roster readers, the private-key toolkit, the process pool, the progress bar.
NOT_FOR_ONE_VERIFY = (
    "reportlab", "pyhanko", "jinja2", "yaml", "openpyxl", "asn1crypto", "multiprocessing",
    "concurrent.futures.process", "rich.progress", "pakta_cli.render", "pakta_cli.definition",
    "pakta_cli.batch", "pakta_cli.keys", "pakta_cli.ca", "pakta_cli.templates", "pakta_cli.sign",
    "rfc3161_client", "pakta_cli.timestamps", "urllib.request",
)

RUN = """
import json, sys
from pakta_cli.cli.app import main
sys.argv = ["pakta", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
print("EXIT", code)
"""


def loaded_by(*args: str, cwd: Path) -> tuple[set[str], str]:
    """The modules a whole `pakta ARGS` process has loaded when it ends, and its output."""
    result = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=cwd,
                            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "80"}, timeout=120)
    marker = result.stdout.rindex("MODULES ")
    modules = json.loads(result.stdout[marker + len("MODULES "):].splitlines()[0])
    return set(modules), result.stdout[:marker]


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if any(m == name or m.startswith(name + ".") for m in modules))


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("startup")
    ca = make_ca(folder)
    signers = [make_identity(folder / "keys", person["name"], person["nip"], ca, position=person["position"])
               for person in (AYU, MADE)]
    pdf = rendered_pact(folder, verify_url="https://kpu-bali.go.id/pakta")  # a QR code in every stamp
    return signed_pact(folder, pdf, signers), ca.paths.cert


def test_verifying_one_pact_without_re_rendering_loads_only_what_verifying_needs(signed: tuple[Path, Path]) -> None:
    pdf, trust = signed
    modules, output = loaded_by("verify", str(pdf), "--trust", str(trust), "--no-reproduce", cwd=pdf.parent)
    assert "VALID" in output  # it really verified
    assert heavy(modules, NOT_FOR_ONE_VERIFY) == []


def test_re_rendering_by_default_loads_the_renderer_and_no_signing_stack(signed: tuple[Path, Path]) -> None:
    pdf, trust = signed
    modules, output = loaded_by("verify", str(pdf), "--trust", str(trust), cwd=pdf.parent)
    assert "VALID" in output
    assert "reportlab" in modules and "pakta_cli.render" in modules  # the control: the test can see a load
    assert heavy(modules, ("pyhanko", "asn1crypto", "multiprocessing", "pakta_cli.keys", "pakta_cli.sign",
                           "rfc3161_client", "openpyxl")) == []


def test_a_timestamped_pact_loads_the_timestamp_reader_and_no_more(tmp_path: Path) -> None:
    """A token is read by rfc3161-client, loaded only for a pact that carries one; still no pyHanko."""
    from tests.tsa import HAVE_OPENSSL, running_tsa

    if not HAVE_OPENSSL and not os.environ.get("CI"):
        pytest.skip("openssl is not installed")
    ca = make_ca(tmp_path)
    signer = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    pdf = rendered_pact(tmp_path)
    with running_tsa(tmp_path / "tsa") as tsa:
        from pakta_cli.sign import SignJob, SignOptions, load_credentials, sign_file
        from pakta_cli.timestamps import Authority
        from tests.conftest import PASSPHRASE

        signed = tmp_path / "signed.pdf"
        sign_file(SignJob(pdf, signed), load_credentials(*signer[:1], PASSPHRASE, signer[1]),
                  SignOptions(tsa=Authority(tsa.url)))
        root = tsa.files.root
    modules, output = loaded_by("verify", str(signed), "--trust", str(ca.paths.cert), "--tsa-trust", str(root),
                                "--allow-incomplete", "--no-reproduce", cwd=tmp_path)
    assert output.startswith("INCOMPLETE") and "time attested by TSA Uji" in output
    assert "rfc3161_client" in modules  # the control
    assert heavy(modules, ("pyhanko", "asn1crypto", "multiprocessing", "pakta_cli.keys", "urllib.request")) == []


def test_the_version_loads_no_command() -> None:
    modules, output = loaded_by("--version", cwd=Path.cwd())
    assert output.startswith("pakta ")
    assert heavy(modules, ("pakta_cli.verify", "pakta_cli.render", "pakta_cli.sign", "cryptography", "pydantic")) \
        == []
