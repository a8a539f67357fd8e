"""Trusted time: RFC 3161 timestamp tokens, asked for by `pakta sign`, checked by `pakta verify`.

A signature's /M is the time the signer claims. A timestamp authority (TSA) attests a time instead:
it signs (message imprint, its own clock) with a certificate made for that (extended key usage
timeStamping, critical, as RFC 3161 2.3 requires). pakta asks for a token over the signature value
(SHA-512), so the token proves that this very signature existed at that time (PAdES B-T).

The ASN.1 is rfc3161-client's (Trail of Bits): it builds the request, reads the response, and
checks the token's signature and its certificate chain with OpenSSL, as of the token's own time
(so a TSA certificate that expired since still verifies a token it made while valid). What pakta
adds is policy: which certificates it trusts for time, how far the attested time may lie from /M,
and that every failure is one sentence.

The network side is small on purpose: one HTTP POST (`application/timestamp-query`) with a timeout
per attempt, a deadline for the whole answer, a bounded size, and a few retries for failures that
may pass (no connection, a timeout, a 5xx). Anything the TSA answered that is wrong (an error
status, a token over another imprint, another nonce) is never retried: it is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pakta_cli.errors import InputError, SigningError
from pakta_cli.i18n import _

if TYPE_CHECKING:
    from cryptography import x509

# how far the attested time may lie from the signing time the stamp shows (/M), either way: sign asks
# for the token right after signing, so the two differ by the request's seconds plus the clocks' drift
TOLERANCE = dt.timedelta(minutes=10)
TIMEOUT = 10.0  # seconds per attempt, and for the whole answer once connected
RETRIES = 2  # attempts after the first, for failures that may pass
BACKOFF = 0.5  # seconds before the first retry, doubled for each next one
MAX_RESPONSE = 64 << 10  # a response is a token and a status: a few KB
CONCURRENCY = 4  # requests one batch sends a TSA at once: one per signing process, at most this many
OID_SHA512 = "2.16.840.1.101.3.4.2.3"


class TimestampError(SigningError):
    """A TSA that could not give a usable token: sign writes nothing."""


@dataclass(frozen=True)
class Authority:
    """Where to ask for time, and how patiently (a value: it travels to signing processes)."""

    url: str
    timeout: float = TIMEOUT
    retries: int = RETRIES

    def __post_init__(self) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(_("{url!r} is not the http:// or https:// address of a timestamp authority").format(
                                 url=self.url))
        if not 0 < self.timeout <= 600:
            raise InputError(_("a timestamp authority's timeout must be 0 to 600 seconds, not {timeout:g}").format(
                                 timeout=self.timeout))


@dataclass(frozen=True)
class Token:
    """A token the TSA gave, with what pakta read from it."""

    der: bytes  # the TimeStampToken (a CMS ContentInfo), as it goes into the signature
    time: dt.datetime  # genTime, aware UTC
    authority: str  # the TSA certificate's subject, for people


def imprint(message: bytes) -> bytes:
    """What a token attests: SHA-512 of the message, a signature value (the OCTET STRING's content)
    or, for an archive timestamp, every byte of the file before it but its own /Contents."""
    return hashlib.sha512(message).digest()


# -- asking (sign) --------------------------------------------------------------------------------


def request_token(authority: Authority, message: bytes) -> Token:
    """A token over `message` (see `imprint`) from `authority`, checked to be the answer to this request."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    request = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA512).nonce(nonce=True) \
        .cert_request(cert_request=True).build()
    body = _post(authority, request.as_bytes())
    return _answer(authority.url, body, request.nonce, imprint(message))


def _post(authority: Authority, query: bytes) -> bytes:
    """The TSA's answer to `query`; retried only for failures that may pass."""
    import urllib.error
    import urllib.request

    last, refused = "", False
    for attempt in range(authority.retries + 1):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1))
        request = urllib.request.Request(authority.url, data=query, method="POST", headers={
            "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
        try:
            with urllib.request.urlopen(request, timeout=authority.timeout) as response:
                return _read(response, authority)
        except urllib.error.HTTPError as exc:
            last = _("it answered HTTP {code} {reason}").format(code=exc.code, reason=exc.reason)
            refused = 400 <= exc.code < 500  # asked once: a refusal is not retried, nor said to be
            if exc.code < 500:
                break
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            last = _("no answer within the timeout") if isinstance(reason, TimeoutError) or "timed out" in str(reason) \
                else _("cannot be reached ({reason})").format(reason=reason)
    tries = _(" (tried {count} times)").format(count=authority.retries + 1) if authority.retries and not refused else ""
    raise TimestampError(_("timestamp authority {url}: {last}{tries}").format(
                             url=authority.url, last=last, tries=tries),
                         hint=_("check the address and the network, or ask the office that runs the authority"))


def _read(response: object, authority: Authority) -> bytes:
    """The body, bounded in size and in time (a server that drips bytes is cut off at the deadline)."""
    deadline = time.monotonic() + authority.timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk: bytes = response.read1(8192)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESPONSE:
            raise TimestampError(_("timestamp authority {url}: its answer is larger than "
                                   "{limit} KB, which no timestamp needs").format(
                                     url=authority.url, limit=MAX_RESPONSE >> 10))
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        chunks.append(chunk)


def _answer(url: str, body: bytes, nonce: int | None, expected: bytes) -> Token:
    """The token in a TSA's response, after every check that needs no trust."""
    from rfc3161_client import PKIStatus, decode_timestamp_response

    def bad(what: str) -> TimestampError:
        return TimestampError(_("timestamp authority {url}: {what}").format(url=url, what=what),
                              hint=_("a timestamp authority must answer RFC 3161 requests; check the address"))

    try:
        response = decode_timestamp_response(_certificates_in_der_order(body))
        status = response.status
    except Exception as exc:  # the parser's own errors: ValueError and Rust panics alike
        raise bad(_("its answer is not an RFC 3161 timestamp response ({exc})").format(exc=_short(exc))) from None
    if status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string)[:160]
        raise bad(_("it refused the request (status {status})").format(status=f"{status}: {said}" if said else status))
    try:
        token = response.time_stamp_token()
        info = response.tst_info
        found = info.message_imprint
        if nonce is not None and info.nonce != nonce:
            raise bad(_("its token answers another request (wrong nonce)"))
        if found.hash_algorithm.dotted_string != OID_SHA512 or found.message != expected:
            raise bad(_("its token is over another message (wrong imprint)"))
        when = info.gen_time
        certificates = response.signed_data.certificates
    except TimestampError:
        raise
    except Exception as exc:
        raise bad(_("its token cannot be read ({exc})").format(exc=_short(exc))) from None
    if not certificates:
        raise bad(_("its token carries no certificate, though pakta asked for one"))
    try:  # every read of a certificate in here (see check_token)
        leaf = _leaf(response, token, _certificates(response))
        named = _display(leaf) if leaf is not None else ""
        stamping = leaf is not None and is_time_stamping(leaf)
    except Exception as exc:
        raise bad(_("its token cannot be read ({exc})").format(exc=_short(exc))) from None
    if leaf is None:
        raise bad(_("its token does not carry the certificate that signed it"))
    if not stamping:
        raise bad(_("its certificate ({leaf}) is not for timestamping (no critical timeStamping usage)").format(
                      leaf=named))
    from pakta_cli.cms import TOKEN_ROOM

    if len(token) > TOKEN_ROOM - 64:
        raise bad(_("its token is {count} bytes; pakta reserves {room}").format(
                      count=len(token), room=TOKEN_ROOM - 64))
    return Token(token, _aware(when), named)


def _certificates_in_der_order(response: bytes) -> bytes:
    """The response with its token's certificates in DER order, every other byte as the TSA wrote it.

    DER wants a SET OF sorted; OpenSSL's TSA and others list the chain leaf first. The certificates
    are not under the token's signature, so their order is pakta's to fix, and a token in DER is
    what every strict reader (rfc3161-client's among them) accepts. A few lines of the DER reader
    `pakta_cli.cms` already has, because a library round trip would re-encode what the TSA signed.
    """
    from pakta_cli.cms import CmsError, der_items, tlv

    try:
        (outer,) = der_items(response)
        parts = der_items(outer[1])
        if outer[0] != 0x30 or len(parts) != 2:
            return response  # a refusal (a status and no token), or not a response: the parser says which
        status, token = parts
        kind, explicit = der_items(token[1])
        (signed,) = der_items(explicit[1])
        items = [tlv(0xA0, b"".join(sorted(whole for _, _, whole in der_items(content)))) if tag == 0xA0 else whole
                 for tag, content, whole in der_items(signed[1])]
        return tlv(0x30, status[2] + tlv(0x30, kind[2] + tlv(0xA0, tlv(0x30, b"".join(items)))))
    except (CmsError, ValueError):
        return response


# -- checking (verify) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attested:
    """What a token that checked out proves."""

    time: dt.datetime  # aware UTC
    authority: str  # the TSA certificate's subject
    anchor: str  # the trusted certificate it chains to


class TokenProblem(Exception):
    """Why a token proves nothing; `key` is the verdict's stable key, the rest the two sentences."""

    def __init__(self, key: str, indonesian: str, english: str) -> None:
        super().__init__(english)
        self.key = key
        self.indonesian = indonesian
        self.english = english


def check_token(token: bytes, message: bytes, anchors: Sequence[x509.Certificate]) -> Attested:
    """What `token` attests of `message` (see `imprint`), judged against the certificates trusted for time.

    In order: it is a token, over this message (SHA-512), signed by a certificate with the
    timeStamping usage, whose chain ends at one of `anchors`, all as of the token's own time.
    """
    from rfc3161_client import VerifierBuilder, decode_timestamp_response

    from pakta_cli.cms import TOKEN_ROOM, tlv

    if len(token) > TOKEN_ROOM:  # never parsed: a hostile token costs no more than an honest one
        raise TokenProblem("timestamp_damaged", f"cap waktu lebih besar dari {TOKEN_ROOM} bita",
                           f"the timestamp token is larger than the {TOKEN_ROOM} bytes pakta reserves for one")
    try:  # a token is a granted response without its status: give it back the status to read it
        response = decode_timestamp_response(tlv(0x30, b"\x30\x03\x02\x01\x00" + token))
        info = response.tst_info
        found = info.message_imprint
        when = _aware(info.gen_time)
    except Exception as exc:
        raise TokenProblem("timestamp_damaged", f"cap waktu rusak ({_short(exc)})",
                           f"the timestamp token is damaged ({_short(exc)})") from None
    if found.hash_algorithm.dotted_string != OID_SHA512 or found.message != imprint(message):
        raise TokenProblem("timestamp_imprint", "cap waktu dibuat untuk nilai tanda tangan lain",
                           "the timestamp is over another signature value (its message imprint does not match)")
    try:  # whatever a certificate holds, cryptography reads parts of it lazily: every read is in here
        carried = _certificates(response)
        leaf = _leaf(response, token, carried, anchors)
        authority = _display(leaf) if leaf is not None else ""
        stamping = leaf is not None and is_time_stamping(leaf)
    except Exception as exc:  # InvalidVersion, DuplicateExtension and the like are no ValueError
        raise TokenProblem("timestamp_damaged", f"cap waktu rusak ({_short(exc)})",
                           f"the timestamp token is damaged ({_short(exc)})") from None
    if leaf is None:
        raise TokenProblem("timestamp_no_certificate", "cap waktu tidak memuat sertifikat yang ditandatangani "
                           "otoritasnya sebagai miliknya",
                           "the timestamp does not carry the certificate its authority signed as its own "
                           "(its signing-certificate attribute and its signer reference must both name it)")
    if not stamping:
        raise TokenProblem("timestamp_usage",
                           f"sertifikat {authority} bukan untuk cap waktu (tanpa extended key usage timeStamping "
                           "yang kritis)",
                           f"the certificate of {authority} is not for timestamping (it lacks a critical "
                           "timeStamping extended key usage)")
    if not anchors:
        raise TokenProblem("timestamp_untrusted", f"otoritas cap waktu {authority} tidak dipercaya: tidak ada "
                           "sertifikat yang dipercaya untuk cap waktu",
                           f"timestamp authority {authority} is not trusted: no certificate is trusted for "
                           "timestamps")
    root = _anchor_of(leaf, carried, anchors)
    if root is None:
        raise TokenProblem("timestamp_untrusted", f"otoritas cap waktu {authority} tidak dipercaya: rantai "
                           "sertifikatnya tidak berakhir pada sertifikat yang dipercaya untuk cap waktu",
                           f"timestamp authority {authority} is not trusted: its certificate chains to no "
                           "certificate trusted for timestamps")
    builder = VerifierBuilder()
    for anchor in anchors:
        builder = builder.add_root_certificate(anchor)
    try:  # OpenSSL: the authority's signature, and its chain as of the token's own time
        builder.build().verify(response, found.message)
    except Exception as exc:  # VerificationError, ValueError, and whatever else a hostile token raises
        detail = _short(exc)
        raise TokenProblem("timestamp_invalid", f"tanda tangan otoritas cap waktu {authority} tidak sah, atau "
                           f"sertifikatnya tidak berlaku pada waktu cap waktu ({detail})",
                           f"the signature of timestamp authority {authority} does not verify, or its certificate "
                           f"was not valid at the timestamp's time ({detail})") from None
    return Attested(when, authority, _display(root))


MAX_CHAIN = 8  # certificates between a TSA's and the root it is trusted through


def _anchor_of(leaf: x509.Certificate, carried: list[x509.Certificate],
               anchors: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The trusted certificate the leaf's chain ends at, each link checked by its issuer's key (never by
    name, nor by a certificate merely being carried: anyone may add one to a token)."""
    current = leaf
    for _step in range(MAX_CHAIN):
        for anchor in anchors:
            if anchor == current or _issued_by(current, anchor):
                return anchor
        parent = next((c for c in carried if c != current and _issued_by(current, c)), None)
        if parent is None:
            return None
        current = parent
    return None


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # another issuer, another key, an algorithm cryptography does not check
        return False
    return True


def _certificates(response: object) -> list[x509.Certificate]:
    """Every certificate the token carries, in DER order (the library gives a set: its order changes
    with the process), each read: one that cannot be read raises."""
    from cryptography import x509 as _x509

    return [_x509.load_der_x509_certificate(der)
            for der in sorted(response.signed_data.certificates)]  # type: ignore[attr-defined]


def _leaf(response: object, token: bytes, carried: list[x509.Certificate],
          anchors: Sequence[x509.Certificate] = ()) -> x509.Certificate | None:
    """The certificate the TSA signed as its own: the one, among those the token carries (`carried`, read
    by `_certificates`) and `anchors`,
    whose hash its signed ESS signing-certificate(-v2) attribute states (RFC 3161 2.4.1, RFC 5816), and
    which the SignerInfo's issuer and serial name too. None when there is no such one.

    Neither the certificates a token carries nor the SignerInfo's issuer and serial lie under the TSA's
    signature: anyone may add a certificate with another name, or name one with a letter changed that
    OpenSSL still matches. The attribute does lie under it, so the name shown and the usage checked
    are those of the certificate the TSA itself vouched for."""
    import hashlib as _hashlib

    from cryptography.hazmat.primitives.serialization import Encoding

    signers = list(response.signed_data.signer_infos)  # type: ignore[attr-defined]
    if len(signers) != 1:
        return None
    sid = (_canonical(signers[0].issuer), signers[0].serial_number)
    if sum((_canonical(c.issuer), c.serial_number) == sid for c in carried) > 1:
        return None  # OpenSSL could verify with either: which one signed is nobody's to say
    algorithm, digest = _ess_certificate(token)
    candidates = {c.public_bytes(Encoding.DER): c for c in [*carried, *anchors]}
    named = [c for der, c in candidates.items() if _hashlib.new(algorithm, der).digest() == digest]
    if len(named) != 1 or named[0].issuer != signers[0].issuer or named[0].serial_number != signers[0].serial_number:
        return None
    return named[0]


def _canonical(name: x509.Name) -> tuple[tuple[str, str], ...]:
    """A name as OpenSSL compares names when it looks for a signer's certificate (X509_NAME_cmp on the
    canonical encoding): each value case-folded, its white space collapsed."""
    return tuple((attribute.oid.dotted_string, " ".join(str(attribute.value).split()).casefold())
                 for attribute in name)


OID_SHA1 = "1.3.14.3.2.26"  # RFC 5816 lets an ESSCertIDv2 name SHA-1, as ESSCertID always does
OID_ESS = "1.2.840.113549.1.9.16.2.12"  # id-aa-signingCertificate: ESSCertID, a SHA-1 hash
OID_ESS_V2 = "1.2.840.113549.1.9.16.2.47"  # id-aa-signingCertificateV2: ESSCertIDv2, SHA-256 unless stated


def _ess_certificate(token: bytes) -> tuple[str, bytes]:
    """(hash algorithm, hash) of the first certificate, the signer's, in the token's one signing-certificate
    attribute: ContentInfo { [0] SignedData { ..., signerInfos SET { SignerInfo { ..., [0] signedAttrs } } } }.
    Raises ValueError (CmsError) when the token has not exactly one such attribute."""
    from pakta_cli.cms import DIGESTS, CmsError, algorithm, der_items, oid

    (outer,) = der_items(token)
    (signed,) = der_items(der_items(outer[1])[1][1])
    (info,) = der_items(der_items(signed[1])[-1][1])
    attributes = next((content for tag, content, _whole in der_items(info[1]) if tag == 0xA0), b"")
    found = []
    for _tag, attribute, _whole in der_items(attributes):
        kind, values = der_items(attribute)
        name = oid(kind[1])
        if name not in (OID_ESS, OID_ESS_V2):
            continue
        (value,) = der_items(values[1])
        first = der_items(der_items(der_items(value[1])[0][1])[0][1])  # certs SEQUENCE OF, its first ESSCertID
        if name == OID_ESS:
            found.append(("sha1", first[0][1]))
        elif first[0][0] == 0x30:  # ESSCertIDv2 with its hashAlgorithm
            found.append(({**DIGESTS, OID_SHA1: "sha1"}.get(algorithm(first[0][1]), "?"), first[1][1]))
        else:
            found.append(("sha256", first[0][1]))
    if len(found) != 1 or found[0][0] == "?":
        raise CmsError("the token has not one signing-certificate attribute with a known hash")
    return found[0]


def is_time_stamping(certificate: x509.Certificate) -> bool:
    """Whether `certificate` is a timestamp authority's: a critical extended key usage with timeStamping."""
    from cryptography import x509 as _x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usage = certificate.extensions.get_extension_for_class(_x509.ExtendedKeyUsage)
    except Exception:  # none, or extensions cryptography cannot read (a duplicate is no ValueError): not one
        return False
    return usage.critical and ExtendedKeyUsageOID.TIME_STAMPING in usage.value


def _display(certificate: x509.Certificate) -> str:
    from pakta_cli.certificates import display_name

    return display_name(certificate.subject)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
