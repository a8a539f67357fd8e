"""`pakta serve` refuses bad input the way every pakta command does: one line, exit code 2."""

from __future__ import annotations

import socket

import pytest

from pakta_cli.cli.serve import parse_size
from pakta_cli.errors import InputError
from tests.conftest import one_error, run_cli
from tests.serve.conftest import Pacts


def test_serve_needs_trust() -> None:
    code, _, err = run_cli("serve")
    one_error(code, err, "no trust given")


@pytest.mark.parametrize(("option", "value", "text"), [
    ("--max-upload", "lots", "not a size"),
    ("--max-upload", "1GB", "between 1KB and 256MB"),
    ("--root-path", "verifikasi/", "starts with /"),
    ("--archive", "/nonexistent/arsip", "not a folder"),
])
def test_bad_options_are_one_line(pacts: Pacts, option: str, value: str, text: str) -> None:
    code, _, err = run_cli("serve", "--trust", pacts.trust, option, value)
    one_error(code, err, text)


def test_a_port_in_use_is_one_line(pacts: Pacts) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli("serve", "--trust", pacts.trust, "--port", str(port))
    one_error(code, err, f"127.0.0.1:{port}")


@pytest.mark.parametrize(("text", "size"), [("20MB", 20 << 20), ("512kb", 512 << 10), ("1.5M", 3 << 19),
                                            ("2048", 2048)])
def test_sizes_read_as_people_write_them(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_a_size_too_small_is_refused() -> None:
    with pytest.raises(InputError):
        parse_size("10")


def test_serve_is_listed_in_help() -> None:
    code, out, _ = run_cli("--help")
    assert code == 0 and "serve" in out
    code, out, _ = run_cli("serve", "--help")
    assert code == 0 and "--archive" in out and "--max-upload" in out
