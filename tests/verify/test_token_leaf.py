"""`pakta_cli.timestamps`: whatever a token's signer certificate holds, reading it is a reason, never a
crash. cryptography reads a certificate's extensions and names lazily, and some of its errors
(DuplicateExtension) are no ValueError: a token whose certificate only half reads must end as a
damaged token, in verify and in sign, with every other check still reported (adversary round 7)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from pakta_cli import timestamps


class HalfRead:
    """A certificate whose extensions cryptography cannot read (as with an extension given twice)."""

    subject = x509.Name([])

    @property
    def extensions(self) -> Any:
        raise x509.DuplicateExtension("Duplicate 2.5.29.37 extension found", ExtendedKeyUsageOID.TIME_STAMPING)


def test_a_certificate_whose_usage_cannot_be_read_is_not_a_timestamp_authoritys() -> None:
    assert timestamps.is_time_stamping(HalfRead()) is False  # type: ignore[arg-type]


class Unnamed(HalfRead):
    @property
    def subject(self) -> Any:  # type: ignore[override]
        raise TypeError("the subject's CN is an INTEGER")


@pytest.mark.parametrize(("leaf", "key"), [(HalfRead(), "timestamp_usage"), (Unnamed(), "timestamp_damaged")])
def test_a_leaf_that_half_reads_is_a_reason(leaf: Any, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the imprint check (a real token over these bytes), a leaf that cannot be read in full: its
    usage unreadable is no timeStamping usage; its name unreadable is a damaged token."""
    from pathlib import Path

    from tests.tsa import TimestampServer, make_tsa, needs_openssl

    if needs_openssl.args[0]:
        pytest.skip("openssl is not installed")
    import tempfile

    with tempfile.TemporaryDirectory() as folder, TimestampServer(make_tsa(Path(folder))) as server:
        token = timestamps.request_token(timestamps.Authority(server.url), b"the signature value").der
        monkeypatch.setattr(timestamps, "_leaf", lambda *args, **kwargs: leaf)
        with pytest.raises(timestamps.TokenProblem) as problem:
            timestamps.check_token(token, b"the signature value", ())
    assert problem.value.key == key
