"""`pakta keys` and `pakta ca` run as an official and an institution run them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pakta_cli.certificates import Identity, identity_of, load_certificate
from pakta_cli.keyid import key_id
from pakta_cli.keys import load_private_key
from pakta_cli.trust import issuer_chain, load_crls, revocation
from tests.conftest import PASSPHRASE, listing, one_error, run_cli, sha256

run = run_cli
NAME = 'Ni Luh "Ayu" & <Putu>'
NIP = "19860926 201505 1 001"


def generate(folder: Path, *extra: str, prefix: str = "ayu", input: str | None = None) -> tuple[int, str, str]:
    return run("keys", "generate", "-o", str(folder / prefix), "--name", NAME, "--nip", NIP,
               "--position", "Sekretaris", "--institution", "KPU Provinsi Bali", *extra, input=input)


def test_generate_prints_key_id_and_verify_command(tmp_path: Path, keys_env: dict[str, str]) -> None:
    code, out, err = generate(tmp_path)
    assert code == 0, err
    key, crt = tmp_path / "ayu.key", tmp_path / "ayu.crt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    private = load_private_key(key, PASSPHRASE)
    from pakta_cli.keyid import key_id

    assert f"key id: {key_id(private.public_key())}\n" in out
    assert f"auditors verify with: pakta verify PACT.pdf --trust {crt}\n" in out
    assert "encrypted, mode 0600" in err
    assert identity_of(load_certificate(crt)) == Identity(NAME, "198609262015051001", "Sekretaris",
                                                           "KPU Provinsi Bali", None)


def test_generate_refuses_to_overwrite(tmp_path: Path, keys_env: dict[str, str]) -> None:
    assert generate(tmp_path)[0] == 0
    before = {p: sha256(p) for p in tmp_path.iterdir()}
    code, _, err = generate(tmp_path)
    one_error(code, err, f"{tmp_path / 'ayu.key'}: already exists")
    assert "hint: pass --force" in err
    assert {p: sha256(p) for p in tmp_path.iterdir()} == before
    code, _, err = generate(tmp_path, "--force")
    assert code == 0, err
    assert sha256(tmp_path / "ayu.key") != before[tmp_path / "ayu.key"]


def test_prompt_asks_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAKTA_PASSPHRASE", raising=False)
    code, out, err = generate(tmp_path, input="satu dua tiga\nsatu dua tiga\n")
    assert code == 0, err
    assert err.count("passphrase") == 2 and "passphrase" not in out  # the prompt and its repetition, on stderr
    load_private_key(tmp_path / "ayu.key", b"satu dua tiga")


def test_prompt_mismatch_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAKTA_PASSPHRASE", raising=False)
    code, _, err = generate(tmp_path, input="satu dua tiga\nsatu dua empat\n")
    one_error(code, err, "the two passphrases differ")
    assert listing(tmp_path) == []


def test_no_passphrase_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAKTA_PASSPHRASE", raising=False)
    code, _, err = generate(tmp_path, input="")
    one_error(code, err, "no passphrase given")
    assert listing(tmp_path) == []


def test_short_passphrase_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAKTA_PASSPHRASE", "short")
    code, _, err = generate(tmp_path)
    one_error(code, err, "at least 8 characters")
    assert listing(tmp_path) == []


def test_passphrase_file_first_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAKTA_PASSPHRASE", raising=False)
    secret = tmp_path / "secret.txt"
    secret.write_text("kalimat rahasia saya\nthe second line is ignored\n")
    code, _, err = generate(tmp_path, "--passphrase-file", str(secret))
    assert code == 0, err
    load_private_key(tmp_path / "ayu.key", b"kalimat rahasia saya")


def test_no_passphrase_is_explicit_and_says_so(tmp_path: Path, keys_env: dict[str, str]) -> None:
    code, _, err = generate(tmp_path, "--no-passphrase")
    assert code == 0, err
    assert "UNENCRYPTED" in err
    assert (tmp_path / "ayu.key").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    load_private_key(tmp_path / "ayu.key", None)


def test_passphrase_is_never_an_argument(tmp_path: Path) -> None:
    code, _, err = generate(tmp_path, "--passphrase", "oops in shell history")
    assert code == 2 and "No such option" in err
    assert listing(tmp_path) == []


def test_bad_nip(tmp_path: Path, keys_env: dict[str, str]) -> None:
    code, _, err = run("keys", "generate", "-o", str(tmp_path / "x"), "--name", "X", "--nip", "12345")
    one_error(code, err, "NIP must have 18 digits")
    assert listing(tmp_path) == []


def test_keys_show_certificate_key_and_errors(tmp_path: Path, keys_env: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path)
    code, out, err = run("keys", "show", str(tmp_path / "ayu.crt"))
    assert code == 0, err
    key_id_line = next(line for line in out.splitlines() if line.startswith("key id:"))
    for text in ("kind:        certificate, self-signed", f"name:        {NAME}", f"NIP:         {NIP}",
                 "position:    Sekretaris", "(valid now)"):
        assert text in out
    code, out, err = run("keys", "show", str(tmp_path / "ayu.key"))
    assert code == 0, err
    assert "Ed25519 private key (encrypted)" in out and key_id_line in out and f"name:        {NAME}" in out
    monkeypatch.setenv("PAKTA_PASSPHRASE", "not the passphrase")
    code, _, err = run("keys", "show", str(tmp_path / "ayu.key"))
    one_error(code, err, "wrong passphrase")
    code, _, err = run("keys", "show", str(tmp_path / "missing.crt"))
    one_error(code, err, "not found")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01junk")
    code, _, err = run("keys", "show", str(tmp_path / "junk.bin"))
    one_error(code, err, "not a key, certificate, request or CRL")


def test_keys_show_csr(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    csr = x509.CertificateSigningRequestBuilder().subject_name(Identity("Ayu").subject()).sign(key, None)
    (tmp_path / "a.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    code, out, _ = run("keys", "show", str(tmp_path / "a.csr"))
    assert code == 0 and "certificate signing request" in out and "\nname:        Ayu\n" in out


# --- the CA ---------------------------------------------------------------------------------------


def test_ca_lifecycle(tmp_path: Path, keys_env: dict[str, str]) -> None:
    code, out, err = run("ca", "init", "-o", str(tmp_path / "kpu"), "--institution", "KPU Provinsi Bali")
    assert code == 0, err
    trust, crl = tmp_path / "kpu.crt", tmp_path / "kpu.crl"
    assert f"auditors verify with: pakta verify PACT.pdf --trust {trust} --crl {crl}" in out
    assert stat.S_IMODE((tmp_path / "kpu.key").stat().st_mode) == 0o600
    root = load_certificate(tmp_path / "kpu.crt")

    assert generate(tmp_path)[0] == 0
    code, out, err = run("ca", "issue", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu.crt"),
                         "-o", str(tmp_path / "ayu-kpu.crt"), "--days", "90")
    assert code == 0, err
    issued = load_certificate(tmp_path / "ayu-kpu.crt")
    assert issuer_chain(issued, [root]) == root
    assert identity_of(issued).nip == "198609262015051001"
    assert f"--cert {tmp_path / 'ayu-kpu.crt'} --chain {tmp_path / 'kpu.crt'}" in out

    code, _, err = run("ca", "issue", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu.crt"),
                       "-o", str(tmp_path / "ayu-kpu.crt"))
    one_error(code, err, "already exists")

    code, out, err = run("ca", "revoke", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu-kpu.crt"),
                         "--reason", "key-compromise")
    assert code == 0, err
    assert "now lists 1 certificate" in err
    crls = load_crls([tmp_path / "kpu.crl"], [root])
    assert revocation(issued, [root], crls).entry is not None
    code, out, _ = run("keys", "show", str(tmp_path / "kpu.crl"))
    assert f"serial {issued.serial_number:x} revoked" in out and "(key-compromise)" in out

    code, _, err = run("ca", "revoke", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu-kpu.crt"))
    one_error(code, err, "already revoked")
    code, _, err = run("ca", "revoke", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu.crt"))
    one_error(code, err, "was not issued by this CA")
    code, _, err = run("ca", "crl", "--ca", str(tmp_path / "kpu"))
    assert code == 0 and "1 revoked" in err


def test_ca_wrong_passphrase_and_wrong_prefix(tmp_path: Path, keys_env: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("ca", "init", "-o", str(tmp_path / "kpu"), "--institution", "KPU")[0] == 0
    assert generate(tmp_path)[0] == 0
    before = listing(tmp_path)
    code, _, err = run("ca", "issue", "--ca", str(tmp_path / "nothing"), str(tmp_path / "ayu.crt"),
                       "-o", str(tmp_path / "out.crt"))
    one_error(code, err, "no CA here")
    code, _, err = run("ca", "issue", "--ca", str(tmp_path / "ayu"), str(tmp_path / "ayu.crt"),
                       "-o", str(tmp_path / "out.crt"))
    one_error(code, err, "not a CA certificate")
    monkeypatch.setenv("PAKTA_PASSPHRASE", "not the passphrase")
    code, _, err = run("ca", "issue", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu.crt"),
                       "-o", str(tmp_path / "out.crt"))
    one_error(code, err, "wrong passphrase")
    assert listing(tmp_path) == before


LONG_NAME = "Prof. Dr. Ir. H. Muhammad Nur Rahmad Kurniawan Setiabudi, S.H., M.H., M.Kn."
LONG_INSTITUTION = "Badan Pengawas Pemilihan Umum Provinsi Kepulauan Bangka Belitung"


def test_names_longer_than_a_common_name_are_kept_whole(tmp_path: Path, keys_env: dict[str, str]) -> None:
    # X.509 caps a CN at 64 characters; an official's name with all its titles, or a provincial
    # Bawaslu's, is longer. The certificate still carries it whole, and pakta reads it whole.
    code, _, err = run("keys", "generate", "-o", str(tmp_path / "long"), "--name", LONG_NAME)
    assert code == 0, err
    cert = load_certificate(tmp_path / "long.crt")
    assert identity_of(cert).name == LONG_NAME
    common_name = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert isinstance(common_name, str) and len(common_name) <= 64 and LONG_NAME.startswith(common_name[:-1])
    code, _, err = run("ca", "init", "-o", str(tmp_path / "bb"), "--institution", LONG_INSTITUTION)
    assert code == 0, err
    code, out, err = run("ca", "issue", "--ca", str(tmp_path / "bb"), str(tmp_path / "long.crt"),
                         "-o", str(tmp_path / "issued.crt"))
    assert code == 0, err
    assert identity_of(load_certificate(tmp_path / "issued.crt")).name == LONG_NAME
    code, out, _ = run("keys", "show", str(tmp_path / "issued.crt"))
    assert f"name:        {LONG_NAME}" in out
    # the cap counts UTF-8 bytes: 40 accented letters are 80 bytes
    accented = "Ni Luh Ayu " + "é" * 40
    code, _, err = run("keys", "generate", "-o", str(tmp_path / "accented"), "--name", accented)
    assert code == 0, err
    assert identity_of(load_certificate(tmp_path / "accented.crt")).name == accented


def issue_request(folder: Path, *attributes: tuple[x509.ObjectIdentifier, str]) -> tuple[int, str, str]:
    """`pakta ca issue` of a CSR naming these attributes, by a CA made in `folder`; writes a.crt."""
    if not (folder / "ca.crt").exists():
        assert run("ca", "init", "-o", str(folder / "ca"), "--institution", "KPU Provinsi Bali")[0] == 0
    name = x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(Ed25519PrivateKey.generate(), None)
    (folder / "a.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    return run("ca", "issue", "--ca", str(folder / "ca"), str(folder / "a.csr"), "-o", str(folder / "a.crt"))


@pytest.mark.parametrize(("attributes", "message"), [
    ([], "the request's identity: the name must not be empty"),
    ([(x509.NameOID.COMMON_NAME, "Ayu"), (x509.NameOID.SERIAL_NUMBER, "abc")], "the request's identity: NIP"),
    ([(x509.NameOID.COMMON_NAME, "Komang"), (x509.NameOID.SERIAL_NUMBER, "PNOID-5171049909860003")],
     "the request's identity: NIK 5171049909860003: digits 7-12 must be a birth date"),
])
def test_ca_issue_checks_the_identity_a_request_asks_for(tmp_path: Path, keys_env: dict[str, str],
                                                         attributes: list[tuple[x509.ObjectIdentifier, str]],
                                                         message: str) -> None:
    code, _, err = issue_request(tmp_path, *attributes)
    one_error(code, err, f"{tmp_path / 'a.csr'}: {message}")
    assert not (tmp_path / "a.crt").exists()


def test_ca_issue_writes_the_identity_as_pakta_does(tmp_path: Path, keys_env: dict[str, str]) -> None:
    """A request's other attributes (another country, an e-mail) are not copied into the certificate."""
    code, _, err = issue_request(tmp_path, (x509.NameOID.COMMON_NAME, "Ayu"),
                                 (x509.NameOID.SERIAL_NUMBER, "19860926 201505 1 001"),
                                 (x509.NameOID.COUNTRY_NAME, "US"), (x509.NameOID.EMAIL_ADDRESS, "ayu@example.org"))
    assert code == 0, err
    subject = load_certificate(tmp_path / "a.crt").subject
    assert subject.rfc4514_string() == "C=ID,2.5.4.5=198609262015051001,CN=Ayu"


def test_garbage_certificates_are_named_in_words(tmp_path: Path) -> None:
    (tmp_path / "junk.crt").write_bytes(bytes(range(7, 107)))
    code, _, err = run("verify", str(tmp_path / "x.pdf"), "--trust", str(tmp_path / "junk.crt"))
    one_error(code, err, "junk.crt: not an X.509 certificate (neither PEM text nor well-formed DER)")
    assert "ParseError" not in err


def test_a_name_the_stamp_cannot_print_is_refused(tmp_path: Path, keys_env: dict[str, str]) -> None:
    code, _, err = run("keys", "generate", "-o", str(tmp_path / "x"), "--name", "Łukasz")
    one_error(code, err, "--name: 'Ł' (U+0141) cannot be printed in a signature stamp")
    assert listing(tmp_path) == []


def test_ca_issue_shows_everything_it_certifies_before_unlocking_the_ca(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamp prints the certificate's name, NIP and title: the CA officer sees them all, and what
    the request leaves out, before typing the CA passphrase (where Ctrl-C still stops)."""
    monkeypatch.setenv("PAKTA_PASSPHRASE", PASSPHRASE.decode())
    assert run("ca", "init", "-o", str(tmp_path / "kpu"), "--institution", "KPU Provinsi Bali")[0] == 0
    code, _, err = run("keys", "generate", "-o", str(tmp_path / "ayu"), "--name", "Ni Luh Ayu Sukmawati",
                       "--nip", NIP, "--position", "Ketua KPU Provinsi Bali", "--institution", "KPU Provinsi Bali")
    assert code == 0, err
    monkeypatch.delenv("PAKTA_PASSPHRASE")
    code, _, err = run("ca", "issue", "--ca", str(tmp_path / "kpu"), str(tmp_path / "ayu.crt"),
                       "-o", str(tmp_path / "issued.crt"), input="not the passphrase\n")
    shown = err[:err.index("Passphrase for CA key")]
    key = key_id(load_private_key(tmp_path / "ayu.key", PASSPHRASE).public_key())
    assert shown.splitlines() == [
        f"certifying {tmp_path / 'ayu.crt'} (key id {key}):",
        "  name:        Ni Luh Ayu Sukmawati",
        f"  NIP:         {NIP}",
        "  position:    Ketua KPU Provinsi Bali",
        "  institution: KPU Provinsi Bali",
        "  unit:        -",
    ]
    one_error(code, err, "wrong passphrase")
    assert not (tmp_path / "issued.crt").exists()


def test_ca_issue_certifies_a_nik(tmp_path: Path, keys_env: dict[str, str]) -> None:
    """An ad hoc member has a NIK and no NIP: the CA shows it and certifies it as pakta writes it."""
    code, _, err = issue_request(tmp_path, (x509.NameOID.COMMON_NAME, "Komang Ayu Lestari"),
                                 (x509.NameOID.SERIAL_NUMBER, "PNOID-5171044509860003"),
                                 (x509.NameOID.TITLE, "Anggota PPS"))
    assert code == 0, err
    assert "  NIK:         5171044509860003\n  position:    Anggota PPS\n" in err
    assert identity_of(load_certificate(tmp_path / "a.crt")) == Identity(
        "Komang Ayu Lestari", None, "Anggota PPS", nik="5171044509860003")


def test_keys_show_prints_a_certificates_escape_sequences_visibly(tmp_path: Path) -> None:
    """A certificate is made by whoever made it: a name with terminal sequences (clear the line, then
    print another name) is shown with its escapes, never acted on."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = Ed25519PrivateKey.generate()
    forged = "Mallory\x1b[2K\rname: Bambang Sugiarto\x1b]0;pakta\x07"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, forged),
                      x509.NameAttribute(NameOID.TITLE, "Ketua\u202e")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(9).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, None))
    path = tmp_path / "mallory.crt"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    code, out, err = run("keys", "show", str(path))
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "Mallory\\x1b[2K\\x0dname: Bambang Sugiarto\\x1b]0;pakta\\x07" in out
    assert "Ketua\\u202e" in out
