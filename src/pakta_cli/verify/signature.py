"""One signature's checks: its byte range, digest, Ed25519 signature, trust, validity, revocation,
party and stamp, each a named `Check` with its reason.

The checks run independently where they can: a certificate odd enough to make a library raise
fails that check, with the library's words, and never takes the other checks with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pakta_cli import cms
from pakta_cli.identity_numbers import bare_name
from pakta_cli.pactfile import ARCHIVED_CRL_TOLERANCE
from pakta_cli.parties import MatchError, check_title, match_signer
from pakta_cli.pdf.reader import Document, Revision
from pakta_cli.pdf.syntax import PdfDict, PdfError
from pakta_cli.verify.pact import Pact
from pakta_cli.verify.policy import Policy
from pakta_cli.verify.revisions import Slot, pdf_date
from pakta_cli.verify.verdict import NAMES_DIFFER, SIGNATURE_CHECKS, Check, Message, SignatureVerdict, say

if TYPE_CHECKING:
    from cryptography import x509

    from pakta_cli.timestamps import Attested

CLOCK_SLACK = dt.timedelta(minutes=10)  # how far a signer's clock may run ahead, or two stated times differ
SUBFILTERS = ("ETSI.CAdES.detached", "adbe.pkcs7.detached")
_OID_DATA_DER = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01"  # the DER of id-data


class _Fail(Exception):
    """A signature check that cannot go on; carries the check name and the reason."""

    def __init__(self, name: str, message: Message) -> None:
        super().__init__(message.en)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class CertificateInfo:
    """What the checks need from a signer's certificate, computed once per certificate per process."""

    der: bytes
    certificate: x509.Certificate
    name: str  # the whole name (the X.520 name attribute), else the CN
    nip: str | None  # digits only
    nik: str | None  # digits only
    title: str | None  # the jabatan the stamp prints
    key_id: str | None  # None when the key is not Ed25519


@functools.lru_cache(maxsize=4096)
def certificate_info(der: bytes) -> CertificateInfo:
    """Parse a certificate once: in a batch, a superior or a CA-issued official signs many pacts."""
    from cryptography import x509

    from pakta_cli.certificates import identity_of
    from pakta_cli.keyid import certificate_key_id

    certificate = x509.load_der_x509_certificate(der)
    person = identity_of(certificate)
    try:
        kid = certificate_key_id(certificate)
    except Exception:  # a key type cryptography does not know: no key id, and the signature check fails
        kid = None
    return CertificateInfo(der, certificate, person.name, person.nip, person.nik, person.position, kid)


class SignatureCheck:
    def __init__(self, doc: Document, pact: Pact, slot: Slot, policy: Policy,
                 checks: tuple[str, ...] = SIGNATURE_CHECKS, existed_by: Attested | None = None) -> None:
        self.doc = doc
        self.pact = pact
        self.slot = slot
        self.policy = policy
        self.checks = checks  # a PDF that is not a pact has no party and no pakta stamp to check
        self.results: dict[str, Check] = {}
        self.signer: str | None = None
        self.key_id: str | None = None
        self.signing_time: dt.datetime | None = None
        self.time_conflict: dt.datetime | None = None  # a CMS signing-time far from /M
        self.revoked: tuple[dt.datetime, str | None] | None = None
        self.attested: dt.datetime | None = None  # the time a trusted timestamp authority attests
        self.authority: str | None = None
        self.existed_by = existed_by  # the earliest archive timestamp that holds over this signature
        self.match = "none"

    def run(self) -> SignatureVerdict:
        try:
            self._run()
        except _Fail as failure:
            self.results.setdefault(failure.name, Check.failed(failure.name, failure.message))
        # ValueError & co. come from cryptography and the DER reader on malformed containers
        except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            name = next(n for n in self.checks if n not in self.results)
            self.results[name] = Check.failed(name, say("damaged_container", "wadah tanda tangan rusak",
                                                        f"damaged signature container: {exc}"))
        first_failure = next((c for c in self.results.values() if not c.ok), None)
        checks = []
        for name in self.checks:
            if name in self.results:
                checks.append(self.results[name])
            else:
                assert first_failure is not None
                checks.append(Check.failed(name, say("not_checked",
                                                     f"tidak diperiksa karena {first_failure.name} gagal",
                                                     f"not checked because {first_failure.name} failed")))
        party = self.pact.party(self.slot.field)
        return SignatureVerdict(
            field=self.slot.field,
            party=party.name if party else None,
            signer=self.signer,
            key_id=self.key_id,
            signing_time=self.signing_time,
            match=self.match,
            checks=tuple(checks),
            revoked=self.revoked,
            revision=self.slot.revision,
            attested=self.attested,
            authority=self.authority,
            existed_by=self.existed_by.time if self.existed_by else None,
            existed_by_authority=self.existed_by.authority if self.existed_by else None,
        )

    def _ok(self, name: str, message: Message) -> None:
        self.results[name] = Check.passed(name, message)

    def _fail(self, name: str, key: str, indonesian: str, english: str) -> _Fail:
        where = self.slot.field
        return _Fail(name, say(key, f"{where}: {indonesian}", f"{where}: {english}"))

    def _attempt(self, name: str, check: Callable[[], Any]) -> Any:
        """Run one independent check, recording its failure instead of stopping the others."""
        try:
            return check()
        except _Fail as failure:
            self.results[failure.name] = Check.failed(failure.name, failure.message)
        except Exception as exc:
            self.results[name] = Check.failed(name, say("cannot_check", "tidak dapat diperiksa",
                                                        f"cannot be checked: {exc}"))
        return None

    def _run(self) -> None:
        rev = self.doc.revisions[self.slot.revision - 1]
        sig = self.doc.get(self.slot.sig, self.slot.revision)
        if not isinstance(sig, PdfDict):
            raise self._fail("byte_range", "not_a_signature", "nilai tanda tangan bukan kamus",
                             "the signature value is not a dictionary")
        start, stop, length, der = self._byte_range(sig, rev)
        self._ok("byte_range", say("byte_range", f"mencakup seluruh berkas hingga revisi {rev.number} kecuali nilai "
                                   "tanda tangan", f"covers the whole file up to revision {rev.number} except the "
                                   "signature value"))
        try:
            parts = cms.parse(der)
        except cms.CmsError as exc:
            raise _Fail("digest", say("damaged_container", "wadah tanda tangan (CMS) rusak",
                                      f"damaged signature container (CMS): {exc}")) from None
        algorithm = cms.DIGESTS.get(parts.digest_algorithm)
        if algorithm is None:
            raise _Fail("digest", say("digest_algorithm", "algoritme hash tidak didukung",
                                      "unsupported digest algorithm"))
        if parts.attributes.get(cms.OID_CONTENT_TYPE) != _OID_DATA_DER:
            raise _Fail("digest", say("content_type", "atribut content-type salah", "wrong content-type attribute"))
        self._attempt("digest", lambda: self._digest(parts, algorithm, start, stop, length))
        der_cert = parts.signer_certificate()
        if der_cert is None:
            raise _Fail("signature", say("no_certificate", "sertifikat penanda tangan tidak ada di dalam tanda tangan",
                                         "the signer's certificate is not in the signature"))
        try:
            info = certificate_info(der_cert)
        except Exception as exc:  # cryptography refuses it: ValueError, UnsupportedAlgorithm
            raise _Fail("signature", say("bad_certificate", "sertifikat penanda tangan tidak terbaca",
                                         f"the signer's certificate cannot be read: {exc}")) from None
        self.signer = info.name
        self.key_id = info.key_id
        self._attempt("signature", lambda: self._signature(parts, sig, info))
        self.signing_time, source = self._signing_time(parts.attributes.get(cms.OID_SIGNING_TIME), sig)
        self._attempt("timestamp", lambda: self._timestamp(parts))
        issuer = self._attempt("trusted", lambda: self._trusted(info))
        self._attempt("valid_at_signing_time", lambda: self._valid_at(info.certificate, issuer, source))
        if issuer is not None:
            self._attempt("not_revoked", lambda: self._not_revoked(info.certificate))
        if "party" in self.checks:
            self._attempt("party", lambda: self._party(info))
        if "stamp" in self.checks:
            self._stamp()

    def _stamp(self) -> None:
        """The signature block shows exactly the stamp pakta draws for what this signature states.

        A stamp is drawn by one signer over a page the others signed; anything else in it (a white
        box, other words, an image) would hide or replace their text. `Revisions` rebuilt the stamp
        from the certificate, /M, the key id and the pact's verify_url and compared it to the byte.
        """
        if self.slot.stamp is not None:
            raise _Fail("stamp", self.slot.stamp.prefixed(f"{self.slot.field}: ", f"{self.slot.field}: "))
        self._ok("stamp", say("stamp", "cap tanda tangan persis cap pakta untuk penanda tangan ini",
                              "the stamp is exactly pakta's stamp for this signer"))

    def _digest(self, parts: cms.Parts, algorithm: str, start: int, stop: int, length: int) -> None:
        view = memoryview(self.doc.data)
        hasher = hashlib.new(algorithm)
        hasher.update(view[:start])
        hasher.update(view[stop : stop + length])
        if parts.message_digest != hasher.digest():
            raise self._fail("digest", "altered",
                             f"isi yang ditandatangani telah diubah (hash {algorithm} tidak cocok)",
                             f"the signed bytes were altered ({algorithm} digest mismatch)")
        self._ok("digest", say("digest", f"hash {algorithm.upper()} cocok dengan bita yang ditandatangani",
                               f"{algorithm.upper()} digest matches the signed bytes"))

    def _signature(self, parts: cms.Parts, sig: PdfDict, info: CertificateInfo) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        public_key = info.certificate.public_key()
        if parts.signature_algorithm != cms.OID_ED25519 or not isinstance(public_key, Ed25519PublicKey):
            raise _Fail("signature", say("not_ed25519", "tanda tangan bukan Ed25519", "the signature is not Ed25519"))
        try:
            public_key.verify(parts.signature, cms.to_be_signed(parts.signed_attrs))
        except InvalidSignature:
            raise self._fail("signature", "bad_signature", "tanda tangan Ed25519 tidak sah",
                             "the Ed25519 signature does not verify") from None
        ess = parts.attributes.get(cms.OID_SIGNING_CERT_V2)
        if ess is None and sig.get("SubFilter") == "ETSI.CAdES.detached":
            raise _Fail("signature", say("no_ess", "atribut signing-certificate-v2 tidak ada (PAdES mewajibkannya)",
                                         "no signing-certificate-v2 attribute (PAdES requires it)"))
        if ess is not None and not _ess_matches(ess, info.der):
            raise _Fail("signature", say("ess_mismatch",
                                         "sertifikat penanda tangan tidak sama dengan yang ditandatangani",
                                         "the signer certificate is not the one the signature names"))
        self._ok("signature", say("signature", f"tanda tangan Ed25519 sah (kunci {self.key_id})",
                                  f"Ed25519 signature verifies (key {self.key_id})"))

    def _timestamp(self, parts: cms.Parts) -> None:
        """The signature-timestamp token, if the signature carries one: over this signature value,
        from an authority trusted for time, at a time that agrees with /M (`pakta_cli.timestamps`).
        Only a token that holds makes the later checks judge by the attested time."""
        if parts.timestamp is None and self.existed_by is not None:
            from pakta_cli.zones import describe_time

            zone = self.signing_time.tzinfo if self.signing_time else dt.UTC
            shown = describe_time(self.existed_by.time.astimezone(zone))
            self._ok("timestamp", say(
                "no_timestamp_archived", "tanpa cap waktu tanda tangan: waktu penandatanganan hanya menurut "
                f"penanda tangan; cap waktu arsip membuktikan tanda tangan sudah ada pada {shown} "
                f"({self.existed_by.authority})",
                "no signature timestamp: the signing time is only claimed by the signer; the archive timestamp "
                f"proves the signature existed by {shown} ({self.existed_by.authority})"))
            return
        if parts.timestamp is None:
            self._ok("timestamp", say("no_timestamp", "tanpa cap waktu: waktu penandatanganan hanya menurut penanda "
                                      "tangan", "no timestamp: the signing time is only claimed by the signer"))
            return
        from pakta_cli.timestamps import TOLERANCE, TokenProblem, check_token
        from pakta_cli.zones import describe_time

        try:
            attested = check_token(parts.timestamp, parts.signature, self.policy.time_anchors)
        except TokenProblem as problem:
            raise self._fail("timestamp", problem.key, problem.indonesian, problem.english) from None
        claimed = self.signing_time
        zone = claimed.tzinfo if claimed is not None else dt.UTC
        shown = describe_time(attested.time.astimezone(zone))
        if claimed is not None and abs(attested.time - claimed) > TOLERANCE:
            minutes = int(TOLERANCE.total_seconds() // 60)
            raise self._fail("timestamp", "timestamp_time",
                             f"waktu cap waktu ({shown}) dan waktu penandatanganan pada cap ({describe_time(claimed)}) "
                             f"berselisih lebih dari {minutes} menit",
                             f"the timestamp's time ({shown}) and the signing time the stamp shows "
                             f"({describe_time(claimed)}) are more than {minutes} minutes apart")
        self.attested, self.authority = attested.time, attested.authority
        self._ok("timestamp", say("timestamped", f"waktu penandatanganan {shown} dibuktikan oleh otoritas cap waktu "
                                  f"{attested.authority} (dipercaya melalui {attested.anchor})",
                                  f"signing time {shown} attested by timestamp authority {attested.authority} "
                                  f"(trusted through {attested.anchor})"))

    def _byte_range(self, sig: PdfDict, rev: Revision) -> tuple[int, int, int, bytes]:
        """Check /ByteRange [0 a b c] and the gap; return (a, b, c, the CMS DER)."""
        data = self.doc.data
        if sig.get("Type", "Sig") != "Sig" or sig.get("SubFilter") not in SUBFILTERS:
            raise self._fail("byte_range", "not_cms", "bukan tanda tangan PAdES/CMS",
                             "not a PAdES/CMS signature dictionary")
        byte_range = sig.get("ByteRange")
        if not (isinstance(byte_range, list) and len(byte_range) == 4 and all(type(x) is int for x in byte_range)):
            raise self._fail("byte_range", "byte_range_form", "/ByteRange tidak berbentuk [0 a b c]",
                             "/ByteRange is not [0 a b c]")
        zero, start, stop, length = byte_range
        if zero != 0 or not 0 < start < stop or length < 0:
            raise self._fail("byte_range", "byte_range_form", "/ByteRange tidak berbentuk [0 a b c]",
                             "/ByteRange is not [0 a b c]")
        if stop + length not in (rev.eof, rev.end):
            raise self._fail("byte_range", "byte_range_end",
                             f"rentang bita tidak berakhir di akhir revisi {rev.number} (byte {stop + length})",
                             f"the byte range does not end where revision {rev.number} ends (byte {stop + length})")
        found = self.doc.entry(self.slot.sig, rev.number)
        if found is None or found[1].stream >= 0:
            # inside an object stream, /Contents is a place in the decoded stream, not in the file:
            # its offsets could name any hex string in the file while every other reader reads another
            raise self._fail("byte_range", "in_object_stream", "kamus tanda tangan berada di dalam object stream",
                             "the signature dictionary is inside an object stream")
        if sig.spans.get("Contents") != (start, stop):
            raise self._fail("byte_range", "gap", "celah /ByteRange bukan /Contents tanda tangan ini",
                             "the /ByteRange gap is not this signature's /Contents")
        gap = data[start + 1 : stop - 1]
        if data[start] != 0x3C or data[stop - 1] != 0x3E or not re.fullmatch(rb"[0-9A-Fa-f]*", gap):
            raise self._fail("byte_range", "gap", "celah berisi selain satu string heksadesimal",
                             "the gap holds more than one hex string")
        der_length = cms.der_length(gap)
        if der_length is None or 2 * der_length > len(gap) or gap[2 * der_length :].strip(b"0"):
            raise self._fail("byte_range", "gap", "celah berisi data selain CMS dan nol pengisi",
                             "the gap holds more than the CMS and zero padding")
        return start, stop, length, bytes.fromhex(gap[: 2 * der_length].decode("ascii"))

    def _signing_time(self, attribute: bytes | None, sig: PdfDict) -> tuple[dt.datetime | None, str]:
        """The time the signer claims: /M (which the byte range covers), else the CMS signing-time
        attribute. Both there and far apart, a signer claims two times: `_valid_at` fails that."""
        claimed = pdf_date(sig.get("M")) if "M" in sig else None
        stated = _der_time(attribute) if attribute is not None else None
        if claimed is None:
            return stated, "signing-time"
        if stated is not None and abs(stated - claimed) > CLOCK_SLACK:
            self.time_conflict = stated
        return claimed, "/M"

    def _trusted(self, info: CertificateInfo) -> x509.Certificate | None:
        """The trusted issuer (the certificate itself when trusted directly); fails when there is none,
        and for a certificate not meant for signing documents (a CA's, or one whose key usage forbids
        it): `pakta sign` refuses those, so the verifier does not accept what they make."""
        from pakta_cli.certificates import check_signing_certificate
        from pakta_cli.errors import PaktaError

        try:
            check_signing_certificate(info.certificate, "the signer's certificate")
        except PaktaError as exc:
            raise _Fail("trusted", say("not_for_signing",
                                       "sertifikat penanda tangan bukan untuk menandatangani dokumen",
                                       exc.message)) from None
        issuer = self.policy.anchor(info.der, info.certificate)
        if issuer is None:
            raise _Fail("trusted", say(
                "untrusted",
                f"sertifikat {self.signer or '?'} (kunci {self.key_id}) tidak dipercaya: bukan sertifikat yang "
                "dipercaya pemeriksa dan tidak diterbitkan oleh salah satunya",
                f"certificate of {self.signer or '?'} (key {self.key_id}) is not trusted: it is neither a certificate "
                "the auditor trusts nor issued by one"))
        if self.policy.der(issuer) == info.der:
            self._ok("trusted", say("trusted_directly", "sertifikat penanda tangan sendiri dipercaya pemeriksa",
                                    "the signer's certificate is itself one the auditor trusts"))
        else:
            name = _display(issuer.subject)
            self._ok("trusted", say("trusted_ca", f"diterbitkan oleh CA tepercaya {name}",
                                    f"issued by trusted CA {name}"))
        return issuer

    def _valid_at(self, certificate: x509.Certificate, issuer: x509.Certificate | None, source: str) -> None:
        """The certificate (and its CA's) was valid when the signature was made: at the attested time
        when a timestamp holds, else at the time the signer claims. Expired since is no failure: a
        certificate's end limits when it may sign, not how long its signatures count."""
        from pakta_cli.zones import describe_time

        claimed = self.signing_time
        if claimed is None:
            raise _Fail("valid_at_signing_time", say("no_time", "waktu penandatanganan tidak ada", "no signing time"))
        if self.time_conflict is not None:
            other = describe_time(self.time_conflict.astimezone(claimed.tzinfo))
            raise _Fail("valid_at_signing_time", say(
                "two_times", f"dua waktu penandatanganan berbeda: /M {describe_time(claimed)}, atribut signing-time "
                f"{other}", f"two signing times disagree: /M says {describe_time(claimed)}, the signing-time attribute "
                f"{other}"))
        now = dt.datetime.now(dt.UTC)
        if claimed > now + CLOCK_SLACK:
            raise _Fail("valid_at_signing_time", say(
                "future_time", f"waktu penandatanganan {describe_time(claimed)} masih di masa depan",
                f"the signing time {describe_time(claimed)} lies in the future"))
        archived = self.existed_by.time if self.existed_by is not None and self.attested is None else None
        if archived is not None:  # the timestamps module only when an archive timestamp holds
            from pakta_cli.timestamps import TOLERANCE

            if claimed > archived + TOLERANCE:
                raise _Fail("valid_at_signing_time", say(
                    "claimed_after_archive", f"waktu penandatanganan {describe_time(claimed)} jatuh sesudah cap "
                    f"waktu arsip {describe_time(archived.astimezone(claimed.tzinfo))} yang mencakup tanda tangan ini",
                    f"the signing time {describe_time(claimed)} lies after the archive timestamp "
                    f"{describe_time(archived.astimezone(claimed.tzinfo))} that covers this signature"))
        when = self.attested or claimed
        shown = describe_time(when.astimezone(claimed.tzinfo))
        for cert, whose in ((certificate, ("penanda tangan", "signer's")), (issuer, ("CA", "CA"))):
            if cert is None:
                continue
            if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
                raise _Fail("valid_at_signing_time", say(
                    "not_valid_then",
                    f"sertifikat {whose[0]} tidak berlaku pada {shown} (berlaku "
                    f"{cert.not_valid_before_utc:%Y-%m-%d} s.d. {cert.not_valid_after_utc:%Y-%m-%d})",
                    f"the {whose[1]} certificate was not valid at {shown} (valid "
                    f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})"))
        ended = certificate.not_valid_after_utc
        if self.attested is not None:
            since_id = f"; kedaluwarsa {ended:%Y-%m-%d}, sesudahnya" if ended < now else ""
            since_en = f"; it expired on {ended:%Y-%m-%d}, after that time" if ended < now else ""
            self._ok("valid_at_signing_time", say(
                "valid_then_attested",
                f"sertifikat berlaku pada {shown} (waktu dibuktikan otoritas cap waktu){since_id}",
                f"certificate valid at {shown} (time attested by a timestamp authority){since_en}"))
        elif ended < now and archived is not None and archived <= ended:
            self._ok("valid_at_signing_time", say(
                "valid_then_archived",
                f"sertifikat berlaku pada {shown} (waktu menurut penanda tangan, {source}); sertifikat kedaluwarsa "
                f"{ended:%Y-%m-%d}, sesudah cap waktu arsip membuktikan tanda tangan sudah ada",
                f"certificate valid at {shown} (time as claimed by the signer, {source}); it expired on "
                f"{ended:%Y-%m-%d}, after the archive timestamp proves the signature existed"))
        elif ended < now:
            self._ok("valid_at_signing_time", say(
                "valid_then_expired_since",
                f"sertifikat berlaku pada {shown} (waktu menurut penanda tangan, {source}); sertifikat kedaluwarsa "
                f"{ended:%Y-%m-%d}, dan tanpa cap waktu hanya kata penanda tangan yang menempatkan tanda tangan "
                "sebelum itu",
                f"certificate valid at {shown} (time as claimed by the signer, {source}); it expired on "
                f"{ended:%Y-%m-%d}, and without a timestamp only the signer's word dates the signature before then"))
        else:
            self._ok("valid_at_signing_time", say(
                "valid_then", f"sertifikat berlaku pada {shown} (waktu menurut penanda tangan, {source})",
                f"certificate valid at {shown} (time as claimed by the signer, {source})"))

    def _not_revoked(self, certificate: x509.Certificate) -> None:
        from pakta_cli.trust import invalidity_date, revokes_key
        from pakta_cli.zones import describe_time

        status = self.policy.revocation(certificate)
        if status.entry is not None:
            when = status.entry.revocation_date_utc
            zone = self.signing_time.tzinfo if self.signing_time else dt.UTC
            shown = describe_time(when.astimezone(zone))
            self.revoked = (when, status.reason)
            crl_name = _display(status.crl.issuer) if status.crl is not None else "?"
            key_wide = status.by_key is not None or revokes_key(status.entry)
            if self.attested is not None or self.existed_by is not None:
                self._revoked_after(status.entry, status.reason, key_wide, invalidity_date(status.entry), crl_name)
                return
            if status.by_key is not None:  # another certificate of this key was revoked for its key
                why = status.reason or "unspecified"
                serial = f"{status.entry.serial_number:x}"
                raise _Fail("not_revoked", say(
                    "key_revoked",
                    f"kunci {self.key_id} milik {self.signer} dicabut oleh CA {crl_name} pada {shown}, alasan: "
                    f"{why} (sertifikat serial {serial}); setiap sertifikat dengan kunci ini ikut dicabut",
                    f"key {self.key_id} of {self.signer} was revoked by CA {crl_name} on {shown}, reason: {why} "
                    f"(certificate serial {serial}); every certificate of this key is revoked"))
            why_id = f", alasan: {status.reason}" if status.reason else ""
            why_en = f", reason: {status.reason}" if status.reason else ""
            raise _Fail("not_revoked", say(
                "revoked", f"sertifikat {self.signer} dicabut pada {shown}{why_id} (CRL {crl_name})",
                f"certificate of {self.signer} revoked on {shown}{why_en} (CRL of {crl_name})"))
        speaking = [crl for crl in status.checked if self._may_clear(crl)]
        if speaking:
            latest = max(c.last_update_utc for c in speaking)
            self._ok("not_revoked", say("not_revoked", f"tidak dicabut menurut CRL terbitan {latest:%Y-%m-%d}",
                                        f"not revoked according to the CRL issued {latest:%Y-%m-%d}"))
        elif certificate.issuer == certificate.subject and self.policy.crls:
            count = len(self.policy.crls)  # those the pact archives too: a CRL that revokes the key counts
            self._ok("not_revoked", say(
                "key_not_revoked",
                f"sertifikat swa-tanda dipercaya langsung; kuncinya tidak dicabut oleh {count} CRL yang diberikan",
                f"self-signed certificate trusted directly; its key is revoked by none of the {count} CRLs given"))
        elif certificate.issuer == certificate.subject:
            self._ok("not_revoked", say("no_crl_applies",
                                        "sertifikat swa-tanda dipercaya langsung; tidak ada CRL yang berlaku",
                                        "self-signed certificate trusted directly; no CRL applies"))
        elif any(not self.policy.is_archived(crl) for crl in self.policy.crls):
            # revocation was asked for, and cannot be answered for this signer
            issuer_name = _display(certificate.issuer)
            stale = " (the CRL the pact archives speaks only for a timestamped signature, when issued after " \
                    "the timestamp: not for this one, or issued before it)" if status.checked else ""
            stale_id = " (CRL di arsip pakta hanya berlaku bagi tanda tangan bercap waktu bila terbit sesudah cap " \
                       "waktunya: bukan untuk tanda tangan ini, atau terbit sebelumnya)" if status.checked else ""
            raise _Fail("not_revoked", say(
                "no_crl_for_issuer",
                f"tidak ada CRL dari CA penerbit sertifikat ini ({issuer_name}); pencabutan tidak dapat diperiksa"
                f"{stale_id}",
                f"no CRL from the CA that issued this certificate ({issuer_name}); revocation cannot be checked"
                f"{stale}"))
        elif status.checked:
            self._ok("not_revoked", say(
                "archived_crl_not_applicable",
                "CRL di arsip pakta tidak dapat menyatakan tanda tangan ini tidak dicabut (tanpa cap waktu, atau CRL "
                "terbit sebelum cap waktunya); pencabutan tidak diperiksa",
                "the CRL the pact archives cannot clear this signature (no timestamp, or a CRL issued before it); "
                "revocation not checked"))
        else:
            self._ok("not_revoked", say("revocation_not_checked",
                                        "tidak ada CRL dari penerbitnya; pencabutan tidak diperiksa",
                                        "no CRL from its issuer was given; revocation not checked"))

    def _may_clear(self, crl: x509.CertificateRevocationList) -> bool:
        """Whether a CRL that does not list the certificate may say it was not revoked. One the auditor
        gives may. One the pact stores (an archive revision, which anyone may append) speaks of the
        time it was issued: only for a signature whose time a trusted authority attests, and only when
        issued after that time (less the tolerance `pakta archive` allows), as PAdES B-LT reads it. A
        CRL that does list it always counts: revocation evidence never helps a forger."""
        if not self.policy.is_archived(crl):
            return True
        proven = self._proven()
        return proven is not None and crl.last_update_utc >= proven[0] - ARCHIVED_CRL_TOLERANCE

    def _proven(self) -> tuple[dt.datetime, str, str] | None:
        """The latest time a timestamp authority proves this signature was made by, with how to say it
        (Indonesian, English): its own timestamp's, else the earliest archive timestamp over it."""
        from pakta_cli.zones import describe_time

        zone = self.signing_time.tzinfo if self.signing_time else dt.UTC
        if self.attested is not None:
            shown = describe_time(self.attested.astimezone(zone))
            return self.attested, f"waktu cap waktu {shown}", f"the attested signing time {shown}"
        if self.existed_by is not None:
            shown = describe_time(self.existed_by.time.astimezone(zone))
            return (self.existed_by.time, f"cap waktu arsip {shown}",
                    f"the archive timestamp {shown}, by which the signature existed")
        return None

    def _revoked_after(self, entry: x509.RevokedCertificate, reason: str | None, key_wide: bool,
                       compromised: dt.datetime | None, crl_name: str) -> None:
        """A revoked certificate, judged at the attested time T (see the README's table).

        A reason about the certificate (superseded, affiliation changed, cessation of operation)
        ends it from its revocation date on: a signature attested before then stands. A reason about
        the key says someone else may hold it; from when is the CRL entry's invalidity date (RFC 5280
        5.3.2). A signature attested before that date stands; with no such date, nobody knows when
        the key leaked, so no signature of it stands, however early its timestamp. Without a timestamp
        of its own, T is the archive timestamp over it (`_proven`): the signature existed by then.
        """
        from pakta_cli.zones import describe_time

        proven = self._proven()
        assert proven is not None
        moment, proof_id, proof_en = proven
        zone = self.signing_time.tzinfo if self.signing_time else dt.UTC
        revoked = describe_time(entry.revocation_date_utc.astimezone(zone))
        why = reason or "unspecified"
        whose_id = f"kunci {self.key_id} milik {self.signer}" if key_wide else f"sertifikat {self.signer}"
        whose_en = f"key {self.key_id} of {self.signer}" if key_wide else f"certificate of {self.signer}"
        if key_wide and compromised is None:
            raise _Fail("not_revoked", say(
                "key_revoked", f"{whose_id} dicabut pada {revoked} (alasan: {why}, CRL {crl_name}) tanpa tanggal "
                "sejak kapan kunci tidak aman: tidak ada tanda tangan kunci ini yang dapat dipercaya, berapa pun waktu "
                "cap waktunya", f"{whose_en} was revoked on {revoked} (reason: {why}, CRL of {crl_name}) with no date "
                "since which the key is unsafe: no signature of this key can be relied on, however early its "
                "timestamp"))
        limit = compromised if key_wide and compromised is not None else entry.revocation_date_utc
        shown_limit = describe_time(limit.astimezone(zone))
        if moment >= limit:
            since_id = f"tidak aman sejak {shown_limit}" if key_wide else f"dicabut pada {revoked}"
            since_en = f"unsafe since {shown_limit}" if key_wide else f"revoked on {revoked}"
            raise _Fail("not_revoked", say(
                "revoked_before_attested", f"{whose_id} {since_id} (alasan: {why}, CRL {crl_name}), sebelum "
                f"{proof_id}", f"{whose_en} {since_en} (reason: {why}, CRL of {crl_name}), before {proof_en}"))
        since_id = f"tidak aman sejak {shown_limit}, dicabut {revoked}" if key_wide else f"dicabut pada {revoked}"
        since_en = f"unsafe since {shown_limit}, revoked {revoked}" if key_wide else f"revoked on {revoked}"
        self._ok("not_revoked", say(
            "revoked_after_attested", f"{whose_id} {since_id} (alasan: {why}), sesudah {proof_id}: "
            "tanda tangan ini tetap sah", f"{whose_en} {since_en} (reason: {why}), after {proof_en}: "
            "this signature stands"))

    def _party(self, info: CertificateInfo) -> None:
        """The signer is the field's party (`pakta_cli.parties`), and the title its stamp prints is
        that party's position in the pact."""
        party = self.pact.party(self.slot.field)
        if party is None:
            raise self._fail("party", "no_party", "kolom ini bukan milik pihak mana pun dalam manifest",
                             "this field belongs to no party in the manifest")
        office = self.pact.office(self.slot.field)
        try:
            self.match = match_signer(party, key_id=self.key_id, nip=info.nip, nik=info.nik, name=info.name)
            compared = check_title(party, office, info.title)
        except MatchError as exc:
            raise _Fail("party", say("wrong_party", exc.indonesian, exc.english)) from None
        messages = {
            "key_id": (f"kunci cocok dengan key_id {party.name} ({party.key_id})",
                       f"key matches {party.name}'s pinned key id ({party.key_id})"),
            "nip": (f"NIP sertifikat cocok dengan NIP {party.name}", f"certificate NIP matches {party.name}'s NIP"),
            "nik": (f"NIK sertifikat cocok dengan NIK {party.name}", f"certificate NIK matches {party.name}'s NIK"),
            "name": (f"hanya nama yang cocok (lemah): {party.name} tidak menyematkan key_id maupun NIP",
                     f"matched by name only (weak): {party.name} has no pinned key id and no NIP"),
        }
        indonesian, english = messages[self.match]
        found = [say(f"party_{self.match}", indonesian, english)]
        if self.match != "name" and info.name and bare_name(info.name) != bare_name(party.name):
            # the number decides who the signer is; the stamp prints the certificate's name, so say both
            found.append(say(NAMES_DIFFER, f"sertifikat menyebut {info.name}, pakta menyebut {party.name}",
                             f"the certificate names {info.name}, the pact names {party.name}"))
        if compared:
            assert office is not None
            found.append(say("position", f"jabatan sertifikat ({info.title}) sesuai jabatan dalam pakta "
                                         f"({office.position})",
                             f"the certificate's title ({info.title}) fits the position in the pact "
                             f"({office.position})"))
        elif info.title:
            found.append(say("position_unstated", f"pakta tidak menyebut jabatan {party.name}; cap mencetak jabatan "
                                                  f"sertifikat ({info.title}) tanpa pembanding",
                             f"the pact states no position for {party.name}; the stamp prints the certificate's "
                             f"title ({info.title}) with nothing to compare it to"))
        self.results["party"] = Check("party", True, tuple(found))


def _display(name: x509.Name) -> str:
    from pakta_cli.certificates import display_name

    return display_name(name)


def _ess_matches(attribute: bytes, cert_der: bytes) -> bool:
    """Whether the ESS signing-certificate-v2 attribute (RFC 5035) names this certificate by hash."""
    outer = cms.der_items(attribute)
    if len(outer) != 1 or outer[0][0] != 0x30:
        return False
    certs = cms.der_items(outer[0][1])
    if not certs or certs[0][0] != 0x30:
        return False
    ids = cms.der_items(certs[0][1])
    if not ids or ids[0][0] != 0x30:
        return False
    items = cms.der_items(ids[0][1])
    algorithm = "sha256"
    if items and items[0][0] == 0x30:  # hashAlgorithm given
        algorithm = cms.DIGESTS.get(cms.algorithm(items[0][1]), "")
        items = items[1:]
    if not algorithm or not items or items[0][0] != 0x04:
        return False
    return bool(hashlib.new(algorithm, cert_der).digest() == items[0][1])


def _der_time(value: bytes) -> dt.datetime | None:
    """A UTCTime or GeneralizedTime (the signing-time attribute) as an aware UTC datetime."""
    try:
        items = cms.der_items(value)
        tag, content = items[0][0], items[0][1].decode("ascii")
        if tag == 0x17 and content.endswith("Z") and len(content) == 13:
            year = int(content[:2])
            return dt.datetime.strptime(f"{1900 + year if year >= 50 else 2000 + year}{content[2:12]}",
                                        "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
        if tag == 0x18 and content.endswith("Z") and len(content) == 15:
            return dt.datetime.strptime(content[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None
