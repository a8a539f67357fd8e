"""The CMS SignedData inside a pakta signature: one fixed layout, written by sign, rebuilt by verify.

A pakta signature is a detached CMS SignedData (RFC 5652) with one signer, Ed25519 (RFC 8419),
SHA-512 over the signed bytes, and exactly three signed attributes: content-type (id-data),
message-digest, and ESS signing-certificate-v2 (RFC 5035: the SHA-256 of the signer's certificate,
with its issuer and serial). No signing-time attribute: PAdES baseline forbids it, the claimed time
is the signature dictionary's /M. The certificates are the signer's, then the CA certificates that
issued it (`--chain`). No CRLs. At most one unsigned attribute: an RFC 3161 signature-timestamp
token over the signature value (PAdES B-T), whose bytes are the timestamp authority's, kept verbatim.

A signature with a token is the one place a pakta /Contents holds padding: the token is fetched
after the byte range is fixed, so its room is reserved beforehand (`reserved`: the container's
size without a token plus `TOKEN_ROOM`), and the container is followed by zeros up to that size.
Without a token the /Contents is the container exactly.

Every part but the certificates, the digest and the signature is a constant, so `build` is the one
function that writes this DER, and verify checks a signature's container by calling it again with
the parts `parse` found and requiring the same bytes: an extra signer, an attribute, another
algorithm, an indefinite length, padding inside the DER, any byte pakta would not write, fails.

Hand-written DER, on purpose: the layout is small and fixed (about 50 lines), it is what makes
that byte-for-byte rebuild possible, and it keeps asn1crypto out of `pakta verify`'s start-up.
pyHanko's validator, which uses asn1crypto, reads every signature in the interoperability tests.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_SHA512 = "2.16.840.1.101.3.4.2.3"
OID_ED25519 = "1.3.101.112"
OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"
OID_SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"
OID_TIMESTAMP_TOKEN = "1.2.840.113549.1.9.16.2.14"  # id-aa-signatureTimeStampToken (RFC 3161 appendix A)
DIGESTS = {OID_SHA256: "sha256", "2.16.840.1.101.3.4.2.2": "sha384", OID_SHA512: "sha512"}
DIGEST = "sha512"  # RFC 8419: SHA-512 with Ed25519 and signed attributes
SIGNATURE_SIZE = 64
DIGEST_SIZE = 64
MAX_CERTIFICATES = 4  # the signer's and the CAs above it: pakta makes one level; room for two more
# bytes reserved for the unsigned attribute that carries a timestamp token: a TSA's token with its
# certificate chain is 2 to 8 KB; a public TSA that embeds a long chain stays well inside 16 KB
TOKEN_ROOM = 16384


class CmsError(ValueError):
    """DER that is not a CMS SignedData this module can read."""


# -- writing ------------------------------------------------------------------------------------


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes((size,))
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, minimal definite length, content."""
    return bytes((tag,)) + _length(len(content)) + content


def _oid_der(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray()
    for number in (40 * parts[0] + parts[1], *parts[2:]):
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def _seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def _set(*items: bytes) -> bytes:
    return tlv(0x31, b"".join(items))


_SHA512_ALGORITHM = _seq(_oid_der(OID_SHA512), b"\x05\x00")
_ED25519_ALGORITHM = _seq(_oid_der(OID_ED25519))
_DATA = _oid_der(OID_DATA)


@dataclass(frozen=True)
class CertificateIds:
    """The parts of a certificate a signature names it by, as the certificate encodes them."""

    issuer: bytes  # DER of the issuer Name
    serial: bytes  # DER of the serialNumber INTEGER


@functools.lru_cache(maxsize=4096)
def certificate_ids(der: bytes) -> CertificateIds:
    """Issuer and serial of a certificate, read from its DER (cached: a batch signs with one)."""
    try:
        (certificate,) = der_items(der)
        tbs = der_items(der_items(certificate[1])[0][1])
        if tbs and tbs[0][0] == 0xA0:  # [0] version
            tbs = tbs[1:]
        if tbs[0][0] != 0x02 or tbs[2][0] != 0x30:
            raise CmsError("not a certificate")
        return CertificateIds(issuer=tbs[2][2], serial=tbs[0][2])
    except (ValueError, IndexError):
        raise CmsError("not a certificate") from None


def signed_attributes(certificate: bytes, digest: bytes) -> bytes:
    """The signed attributes as stored ([0] IMPLICIT SET OF, sorted by encoding, as DER wants)."""
    ids = certificate_ids(certificate)
    ess = _seq(_seq(_seq(
        tlv(0x04, hashlib.sha256(certificate).digest()),
        _seq(_seq(tlv(0xA4, ids.issuer)), ids.serial),
    )))
    attributes = sorted([
        _seq(_oid_der(OID_CONTENT_TYPE), _set(_DATA)),
        _seq(_oid_der(OID_MESSAGE_DIGEST), _set(tlv(0x04, digest))),
        _seq(_oid_der(OID_SIGNING_CERT_V2), _set(ess)),
    ])
    return tlv(0xA0, b"".join(attributes))


def to_be_signed(attributes: bytes) -> bytes:
    """What the Ed25519 signature covers: the signed attributes as a SET (tag 0x31), not as [0]."""
    return b"\x31" + attributes[1:]


def build(certificates: Sequence[bytes], digest: bytes, signature: bytes, timestamp: bytes | None = None) -> bytes:
    """The DER of a pakta signature: certificates[0] is the signer's, the rest the CAs above it;
    `timestamp`, a TSA's token over `signature`, goes in verbatim as the one unsigned attribute."""
    signer = certificates[0]
    ids = certificate_ids(signer)
    unsigned = b"" if timestamp is None else tlv(0xA1, _seq(_oid_der(OID_TIMESTAMP_TOKEN), _set(timestamp)))
    signer_info = _seq(
        b"\x02\x01\x01",
        _seq(ids.issuer, ids.serial),
        _SHA512_ALGORITHM,
        signed_attributes(signer, digest),
        _ED25519_ALGORITHM,
        tlv(0x04, signature),
        unsigned,
    )
    signed_data = _seq(
        b"\x02\x01\x01",
        _set(_SHA512_ALGORITHM),
        _seq(_DATA),
        tlv(0xA0, b"".join(certificates)),
        _set(signer_info),
    )
    return _seq(_oid_der(OID_SIGNED_DATA), tlv(0xA0, signed_data))


def size(certificates: Sequence[bytes]) -> int:
    """The exact length of `build`'s DER for these certificates (digest and signature are fixed-size)."""
    return len(build(certificates, bytes(DIGEST_SIZE), bytes(SIGNATURE_SIZE)))


def reserved(certificates: Sequence[bytes]) -> int:
    """The /Contents size, in bytes, of a signature that carries a timestamp token (see the module docstring)."""
    return size(certificates) + TOKEN_ROOM


def padded(der: bytes, certificates: Sequence[bytes]) -> bytes:
    """A container with a token, followed by the zeros that fill its reserved room."""
    room = reserved(certificates)
    if len(der) > room:
        raise CmsError(f"the timestamp token does not fit the {TOKEN_ROOM} bytes reserved for it")
    return der + bytes(room - len(der))


# -- reading ------------------------------------------------------------------------------------


def der_items(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The (tag, content, whole encoding) of each TLV in `data`; raises CmsError on bad DER."""
    items = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise CmsError("truncated DER")
        tag, first = data[pos], data[pos + 1]
        head = 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4:
                raise CmsError("bad DER length")
            length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
            head += count
        end = pos + head + length
        if end > len(data):
            raise CmsError("truncated DER")
        items.append((tag, data[pos + head : end], data[pos:end]))
        pos = end
    return items


@functools.lru_cache(maxsize=256)
def oid(content: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's content bytes."""
    if not content or content[-1] & 0x80:
        raise CmsError("bad OBJECT IDENTIFIER")
    parts: list[int] = []
    number = 0
    for byte in content:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(n) for n in (first, parts[0] - 40 * first, *parts[1:]))


def algorithm(content: bytes) -> str:
    """The OID of an AlgorithmIdentifier's content."""
    items = der_items(content)
    if not items or items[0][0] != 0x06:
        raise CmsError("bad AlgorithmIdentifier")
    return oid(items[0][1])


@dataclass(frozen=True)
class Parts:
    """What a signature check reads from a CMS SignedData, whatever its layout."""

    der: bytes  # the whole container
    digest_algorithm: str  # OID
    certificates: tuple[bytes, ...]  # DER, in the order the container lists them
    sid_issuer: bytes | None  # DER of the issuer Name, for an issuerAndSerialNumber SignerIdentifier
    sid_serial: bytes | None  # DER of the serial INTEGER
    sid_key_identifier: bytes | None  # for a subjectKeyIdentifier SignerIdentifier
    signed_attrs: bytes  # the [0] IMPLICIT SET as encoded
    attributes: dict[str, bytes]  # OID -> the DER of its single value
    signature_algorithm: str  # OID
    signature: bytes
    timestamp: bytes | None = None  # the DER of the signature-timestamp token, when it is the one unsigned attribute

    @property
    def message_digest(self) -> bytes | None:
        """The message-digest attribute's octets."""
        value = self.attributes.get(OID_MESSAGE_DIGEST)
        if value is None:
            return None
        items = der_items(value)
        return items[0][1] if len(items) == 1 and items[0][0] == 0x04 else None

    def signer_certificate(self) -> bytes | None:
        """The certificate the SignerInfo names (issuer and serial, or subject key identifier)."""
        for der in self.certificates:
            try:
                ids = certificate_ids(der)
            except CmsError:
                continue
            if self.sid_issuer is not None and (ids.issuer, ids.serial) == (self.sid_issuer, self.sid_serial):
                return der
            if self.sid_key_identifier is not None and _subject_key_identifier(der) == self.sid_key_identifier:
                return der
        return None

    def is_pakta_layout(self) -> bool:
        """Whether `build` writes exactly this container again (see the module docstring)."""
        digest = self.message_digest
        if not self.certificates or digest is None or len(self.certificates) > MAX_CERTIFICATES:
            return False
        try:
            return build(self.certificates, digest, self.signature, self.timestamp) == self.der
        except CmsError:
            return False


def parse(der: bytes) -> Parts:
    """The parts of any detached, single-signer CMS SignedData; CmsError when it is not one."""
    top = der_items(der)
    if len(top) != 1 or top[0][0] != 0x30:
        raise CmsError("not a DER SEQUENCE")
    info = der_items(top[0][1])
    if len(info) != 2 or info[0][0] != 0x06 or oid(info[0][1]) != OID_SIGNED_DATA or info[1][0] != 0xA0:
        raise CmsError("not CMS SignedData")
    inner = der_items(info[1][1])
    if len(inner) != 1 or inner[0][0] != 0x30:
        raise CmsError("bad SignedData")
    items = der_items(inner[0][1])
    tags = [tag for tag, _, _ in items]
    if len(items) < 4 or tags[:3] != [0x02, 0x31, 0x30] or tags[-1] != 0x31:
        raise CmsError("bad SignedData layout")
    encap = der_items(items[2][1])
    if not encap or encap[0][0] != 0x06 or oid(encap[0][1]) != OID_DATA or len(encap) != 1:
        raise CmsError("the signature is not detached (it carries its content)")
    certificates: list[bytes] = []
    for tag, content, _ in items[3:-1]:
        if tag == 0xA0:
            certificates += [whole for kind, _, whole in der_items(content) if kind == 0x30]
        elif tag != 0xA1:
            raise CmsError("bad SignedData layout")
    signers = der_items(items[-1][1])
    if len(signers) != 1 or signers[0][0] != 0x30:
        raise CmsError("the container must hold exactly one signer")
    parts = der_items(signers[0][1])
    if len(parts) < 6 or parts[0][0] != 0x02 or parts[3][0] != 0xA0 or parts[2][0] != 0x30 \
            or parts[4][0] != 0x30 or parts[5][0] != 0x04 or any(tag != 0xA1 for tag, _, _ in parts[6:]):
        raise CmsError("bad SignerInfo")
    sid_issuer = sid_serial = sid_key = None
    if parts[1][0] == 0x30:
        issuer_serial = der_items(parts[1][1])
        if len(issuer_serial) != 2 or issuer_serial[0][0] != 0x30 or issuer_serial[1][0] != 0x02:
            raise CmsError("bad SignerIdentifier")
        sid_issuer, sid_serial = issuer_serial[0][2], issuer_serial[1][2]
    elif parts[1][0] == 0x80:
        sid_key = parts[1][1]
    else:
        raise CmsError("bad SignerIdentifier")
    listed = {algorithm(content) for tag, content, _ in der_items(items[1][1]) if tag == 0x30}
    if algorithm(parts[2][1]) not in listed:
        raise CmsError("the signer's digest algorithm is not among the SignedData's digestAlgorithms")
    attributes: dict[str, bytes] = {}
    for tag, content, _ in der_items(parts[3][1]):
        pair = der_items(content)
        if tag != 0x30 or len(pair) != 2 or pair[0][0] != 0x06 or pair[1][0] != 0x31:
            raise CmsError("bad signed attribute")
        values = der_items(pair[1][1])
        attribute = oid(pair[0][1])
        if len(values) != 1 or attribute in attributes:
            raise CmsError(f"signed attribute {attribute} repeated")
        attributes[attribute] = values[0][2]
    return Parts(
        der=der,
        digest_algorithm=algorithm(parts[2][1]),
        certificates=tuple(certificates),
        sid_issuer=sid_issuer,
        sid_serial=sid_serial,
        sid_key_identifier=sid_key,
        signed_attrs=parts[3][2],
        attributes=attributes,
        signature_algorithm=algorithm(parts[4][1]),
        signature=parts[5][1],
        timestamp=_timestamp_token(parts[6:]),
    )


def _timestamp_token(unsigned: list[tuple[int, bytes, bytes]]) -> bytes | None:
    """The token, when the unsigned attributes are exactly one signature-timestamp token."""
    if len(unsigned) != 1:
        return None
    attributes = der_items(unsigned[0][1])
    if len(attributes) != 1 or attributes[0][0] != 0x30:
        return None
    pair = der_items(attributes[0][1])
    if len(pair) != 2 or pair[0][0] != 0x06 or oid(pair[0][1]) != OID_TIMESTAMP_TOKEN or pair[1][0] != 0x31:
        return None
    values = der_items(pair[1][1])
    return values[0][2] if len(values) == 1 and values[0][0] == 0x30 else None


def _subject_key_identifier(der: bytes) -> bytes | None:
    from cryptography import x509

    try:
        certificate = x509.load_der_x509_certificate(der)
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except Exception:  # no such extension, or not a certificate cryptography reads
        return None


def der_length(hexdigits: bytes) -> int | None:
    """The total length of the DER SEQUENCE at the start of `hexdigits`, from its header alone."""
    if len(hexdigits) < 4 or hexdigits[:2] != b"30":
        return None
    first = int(hexdigits[2:4], 16)
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(hexdigits) < 4 + 2 * count:
        return None
    return 2 + count + int(hexdigits[4 : 4 + 2 * count], 16)
