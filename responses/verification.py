"""Whether a PDF is an unaltered letter issued through Banli (the public page /verify/).

`verify_pdf(content)` reads an uploaded file: its SHA-256 against the frozen letters, and its
PAdES signature (pyHanko, no network) against the certificates Banli holds and this
installation's root. `verify_number(doc_number, sha256)` answers for a number and a hash.
Both return a Verification; the page only renders it. A letter that is not public says only
that it is a genuine letter of that organ and number, nothing of its content.
"""

import multiprocessing
import re
from dataclasses import dataclass
from io import BytesIO

from django.db.models import Q
from django.utils.translation import gettext as _

from . import rendering
from .models import LetterFile, SigningCertificate

MAX_BYTES = 20 * 1024 * 1024
READ_SECONDS = 5  # parsing and checking one upload; beyond it the file is "unreadable"


class Status:
    GENUINE = "genuine"  # the stored file, byte for byte (signed by its unit when signed)
    ALTERED = "altered"  # signed by Banli, but changed since (or hash differs for that number)
    FOREIGN = "foreign"  # signed, but not by a certificate of this installation
    UNKNOWN = "unknown"  # no signature and not on record; or number not on record
    UNREADABLE = "unreadable"  # not a PDF Banli can read (or too large, or too slow)


@dataclass
class Verification:
    status: str
    message: str
    organ: str = ""
    doc_number: str = ""
    letter_date: object = None
    signed_at: object = None  # as the signature says (None: not read, or not signed)
    frozen_at: object = None  # when Banli froze the file
    item: str = ""
    public: bool = False
    signer: str = ""
    sha256: str = ""

    @property
    def genuine(self):
        return self.status == Status.GENUINE


@dataclass
class Signature:
    """What pyHanko found in the file's last signature."""

    intact: bool = False  # the signed bytes hash to the signed digest, the CMS signature holds
    whole: bool = False  # it covers the whole file (nothing added after signing)
    fingerprint: str = ""
    subject: str = ""
    chains_to_root: bool = False
    signed_at: object = None


def _found(letter_file, signed_at=None, message=None):
    letter = letter_file.letter
    public = letter.is_public
    result = Verification(
        status=Status.GENUINE,
        message=message or _("这是通过本系统发出的原件，发出后未被改动。"),
        organ=letter.signing_organ,
        doc_number=letter.doc_number,
        signed_at=signed_at,
        frozen_at=letter_file.rendered_at,
        public=public,
        sha256=letter_file.sha256,
    )
    if public:
        proposal = letter.assignment.proposal
        result.letter_date = letter.letter_date
        result.item = f"{proposal.number} {proposal.title}".strip()
    return result


def _files():
    return LetterFile.objects.filter(format=LetterFile.Format.PDF).select_related(
        "reply__assignment__proposal", "opinion__assignment__proposal"
    )


def verify_number(doc_number, sha256):
    doc_number, sha256 = (doc_number or "").strip(), (sha256 or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return Verification(
            Status.UNREADABLE, _("SHA-256应为64位十六进制数字。"), doc_number=doc_number
        )
    of_number = _files().filter(Q(reply__doc_number=doc_number) | Q(opinion__doc_number=doc_number))
    if not doc_number or not of_number.exists():
        return Verification(
            Status.UNKNOWN, _("本系统没有发出过该文号的函件。"), doc_number=doc_number
        )
    match = of_number.filter(sha256=sha256).first()
    if match is None:
        return Verification(
            Status.ALTERED,
            _(
                "该文号的函件确由本系统发出，但您的文件的SHA-256与原件不符：文件已被改动或不是该函件。"
            ),
            doc_number=doc_number,
            sha256=sha256,
        )
    return _found(match)


def verify_pdf(content):
    """The verdict on an uploaded file (bytes), bounded in size and time."""
    if len(content) > MAX_BYTES:
        return Verification(
            Status.UNREADABLE,
            _("文件超过%(mb)d MB，无法核验。") % {"mb": MAX_BYTES // (1024 * 1024)},
        )
    digest = rendering.digest(content)
    stored = _files().filter(sha256=digest).first()
    signature = _read_signature(content)
    if stored is not None:  # the very bytes Banli froze
        if isinstance(signature, Signature):
            return _found(stored, signed_at=signature.signed_at)
        return _found(  # frozen before letters were signed: the stored hash vouches for it
            stored,
            message=_("这是通过本系统发出的原件，发出后未被改动（该函件定稿时尚未加盖电子签章）。"),
        )
    if signature is None:
        return Verification(
            Status.UNKNOWN,
            _("该文件没有电子签章，也不是本系统发出的任何函件。"),
            sha256=digest,
        )
    if isinstance(signature, str):
        return Verification(Status.UNREADABLE, signature, sha256=digest)
    return _verdict_on_signature(signature, digest)


def _verdict_on_signature(signature, digest):
    """A signed file Banli did not freeze: sealed by another's certificate, changed after
    sealing, or sealed by a unit of Banli's but not the stored original."""
    known = SigningCertificate.objects.filter(
        fingerprint=signature.fingerprint, unit__isnull=False
    ).first()
    ours = known is not None and (
        signature.chains_to_root or known.kind == SigningCertificate.Kind.IMPORTED
    )
    if signature.intact and not ours:
        return Verification(
            Status.FOREIGN,
            _("该文件的电子签章不是本系统任何单位的证书所签：不是本系统发出的函件。"),
            signer=signature.subject,
            sha256=digest,
        )
    if not signature.intact or not signature.whole:
        return Verification(
            Status.ALTERED,
            _("该文件在签章后被改动过：签章与文件内容不符，不能作为原件。"),
            signer=signature.subject,
            sha256=digest,
        )
    return Verification(
        Status.ALTERED,
        _("该文件带有%(organ)s的有效签章，但与本系统保存的原件不一致：文件已被改动。")
        % {"organ": known.unit.name},
        organ=known.unit.name,
        sha256=digest,
    )


def _read_signature(content):
    """The file's last signature as a Signature, None when it has none, or a sentence when
    the file cannot be read (not a PDF, malformed, or not read within READ_SECONDS)."""
    # The database is asked here, not in the child (which must not share the connection).
    root = SigningCertificate.objects.filter(kind=SigningCertificate.Kind.ROOT).first()
    root_pem = root.certificate if root else ""
    # An uploaded file is parsed in a forked child that is killed when time runs out: a
    # thread could only be abandoned, still parsing, inside the web worker.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pending = pool.apply_async(_signature_or_refusal, (content, root_pem))
        try:
            return pending.get(READ_SECONDS)
        except multiprocessing.TimeoutError:
            return _("读取该文件超时，无法核验。")


def _signature_or_refusal(content, root_pem):
    from cryptography import x509

    from . import signing

    roots = [signing._asn1(x509.load_pem_x509_certificate(root_pem.encode()))] if root_pem else []
    try:
        return _signature_of(content, roots)
    except Exception:  # a malformed upload is an answer, never a 500  # noqa: BLE001
        return _("无法读取该文件：不是有效的PDF文件。")


def _signature_of(content, roots):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not content.lstrip()[:5].startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    reader = PdfFileReader(BytesIO(content), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return None
    embedded = signatures[-1]
    from cryptography import x509

    from . import signing

    cert = x509.load_der_x509_certificate(embedded.signer_cert.dump())
    found = Signature(
        fingerprint=signing.fingerprint(cert),
        subject=cert.subject.rfc4514_string(),
        signed_at=embedded.self_reported_timestamp,
    )
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # noqa: BLE001  a broken CMS structure is an altered signature
        return found
    found.intact = bool(status.intact and status.valid)
    found.whole = status.coverage.name == "ENTIRE_FILE"
    found.chains_to_root = bool(status.trusted) and bool(roots)
    return found
