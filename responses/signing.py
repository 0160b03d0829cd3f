"""The electronic seal (电子签章) of sent letters: each issuing unit signs its frozen PDF as
PAdES (pyHanko, no network, no timestamp server) with a key and certificate Banli keeps.

Keys and certificates
- Each installation has one Banli root CA, made on first use; it issues each unit's
  certificate, made on first use or by `manage.py issue_signing_keys`. Verification checks
  that a letter's signer chains to this installation's root and is a certificate Banli holds
  for that unit.
- The system administrator may import an organ's own certificate and key (PKCS#12) in the
  admin instead; that unit's earlier certificate is retired, and stays known so that the
  letters it signed still verify.
- Private keys are kept in the database encrypted with AES-GCM under a key derived (HKDF)
  from SECRET_KEY, never as readable fields: they travel with the database to every web and
  worker host and with its backups, while a copy of the database (or of the admin) alone
  reveals none of them. Rotating SECRET_KEY keeps them readable while the old key is in
  SECRET_KEY_FALLBACKS; `issue_signing_keys --reencrypt` then seals them under the new one.
"""

import datetime
import hashlib
import os
from functools import cache
from io import BytesIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from workflow.audit import ActionRefused

from .models import SigningCertificate

ROOT_YEARS, UNIT_YEARS = 30, 10
SEAL_FIELD = "BanliSeal"
SEAL_SIZE = (150, 70)  # points: the seal's rectangle, centred on the signing organ and date


class SigningUnavailable(ActionRefused):
    """The unit's key cannot be used (e.g. SECRET_KEY changed without a fallback)."""


# ---- keys at rest ---------------------------------------------------------------------------
def _box_key(secret):
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"banli-signing-keys", info=b"aes-gcm v1"
    ).derive(secret.encode() if isinstance(secret, str) else secret)


def seal_key(private_key, fingerprint):
    """The key's PKCS#8 DER, encrypted under SECRET_KEY (bound to its certificate)."""
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(12)
    return (
        b"\x01"
        + nonce
        + AESGCM(_box_key(settings.SECRET_KEY)).encrypt(nonce, der, fingerprint.encode())
    )


def open_key(sealed, fingerprint):
    from cryptography.exceptions import InvalidTag

    sealed = bytes(sealed)
    nonce, box = sealed[1:13], sealed[13:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            der = AESGCM(_box_key(secret)).decrypt(nonce, box, fingerprint.encode())
        except InvalidTag:
            continue
        return serialization.load_der_private_key(der, password=None)
    raise SigningUnavailable(
        _("签章密钥无法解密（SECRET_KEY已更换？）。请由系统管理员重新生成或导入单位证书。")
    )


# ---- certificates ---------------------------------------------------------------------------
def fingerprint(cert):
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _name(common_name, unit=None):
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Banli"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ]
    if unit is not None:
        parts.insert(2, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"unit {unit.pk}"))
    return x509.Name(parts)


def _certificate(subject, key, issuer, issuer_key, years, ca):
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    usage = {"digital_signature": True, "content_commitment": not ca}
    usage.update(key_cert_sign=ca, crl_sign=ca)
    builder = builder.add_extension(
        x509.KeyUsage(
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
            **usage,
        ),
        critical=True,
    )
    if issuer_key is not key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _store(cert, key, unit=None, kind=SigningCertificate.Kind.GENERATED, chain=()):
    print_ = fingerprint(cert)
    return SigningCertificate.objects.create(
        unit=unit,
        kind=kind,
        subject=cert.subject.rfc4514_string()[:300],
        fingerprint=print_,
        certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        private_key=seal_key(key, print_),
        not_after=cert.not_valid_after_utc,
    )


def root():
    """This installation's Banli root CA (made on first use)."""
    found = SigningCertificate.objects.filter(kind=SigningCertificate.Kind.ROOT).first()
    if found:
        return found
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Banli 办理系统电子签章根证书")  # in the certificate: not translated
    cert = _certificate(name, key, name, key, ROOT_YEARS, ca=True)
    try:
        with transaction.atomic():
            return _store(cert, key, kind=SigningCertificate.Kind.ROOT)
    except IntegrityError:  # made at the same moment by another process
        return SigningCertificate.objects.get(kind=SigningCertificate.Kind.ROOT)


def current(unit):
    """The unit's certificate in force, issued by the root on first use."""
    found = SigningCertificate.objects.filter(unit=unit, retired_at__isnull=True).first()
    return found or issue(unit, renew=False)


def issue(unit, renew=True):
    """A new key and certificate for the unit, issued by the installation's root; the unit's
    earlier certificate (if any) is retired. On first use (`renew=False`) a certificate made
    at the same moment by another process wins and is returned."""
    authority = root()
    ca_cert = authority.x509()
    ca_key = open_key(authority.private_key, authority.fingerprint)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(unit.name, unit), key, ca_cert.subject, ca_key, UNIT_YEARS, False)
    try:
        with transaction.atomic():
            if renew:
                _retire(unit)
            return _store(cert, key, unit=unit)
    except IntegrityError:  # issued at the same moment by another process
        return SigningCertificate.objects.get(unit=unit, retired_at__isnull=True)


def _retire(unit):
    SigningCertificate.objects.filter(unit=unit, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )


class BadImport(ActionRefused):
    pass


@transaction.atomic
def import_pkcs12(unit, content, password):
    """An organ's own certificate and key (a PKCS#12 file) become the unit's signing key."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            content, password.encode() if password else None
        )
    except (ValueError, TypeError) as exc:
        raise BadImport(_("无法读取该PKCS#12文件（文件或密码有误）。")) from exc
    if key is None or cert is None:
        raise BadImport(_("PKCS#12文件须同时包含证书和私钥。"))
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise BadImport(_("只支持RSA或椭圆曲线密钥。"))
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise BadImport(_("证书与私钥不匹配。"))
    if SigningCertificate.objects.filter(fingerprint=fingerprint(cert)).exists():
        raise BadImport(_("该证书已导入。"))
    _retire(unit)
    return _store(cert, key, unit=unit, kind=SigningCertificate.Kind.IMPORTED, chain=extra or ())


def reencrypt():
    """Seal every key again under the current SECRET_KEY (after rotating it)."""
    count = 0
    for row in SigningCertificate.objects.all():
        key = open_key(row.private_key, row.fingerprint)
        row.private_key = seal_key(key, row.fingerprint)
        row.save(update_fields=["private_key"])
        count += 1
    return count


# ---- signing a PDF --------------------------------------------------------------------------
def _asn1(cert):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def signer_for(row):
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = open_key(row.private_key, row.fingerprint)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    others = [_asn1(c) for c in row.chain_x509()]
    if row.kind != SigningCertificate.Kind.IMPORTED:
        others.append(_asn1(root().x509()))
    return signers.SimpleSigner(
        signing_cert=_asn1(row.x509()),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(others),
    )


def seal_position(document):
    """(page index, (x1, y1, x2, y2) in PDF points) for the seal: centred over the signing
    organ and date (落款) of a rendered WeasyPrint document, as GB/T 9704 places the 印章.
    Falls back to the lower right of the last page."""
    width_px = height_px = None
    for index in range(len(document.pages) - 1, -1, -1):
        page = document.pages[index]
        width_px, height_px = page.width, page.height
        spots = [b for b in _descendants(page._page_box) if _role(b) in ("signing", "date")]
        texts = [t for b in spots for t in _descendants(b) if hasattr(t, "text")]
        if texts:
            left = min(t.position_x for t in texts)
            right = max(t.position_x + t.width for t in texts)
            top = min(t.position_y for t in texts)
            bottom = max(t.position_y + t.height for t in texts)
            return index, _box(left, right, top, bottom, height_px)
    last = len(document.pages) - 1
    w, h = width_px or 794, height_px or 1123
    return last, _box(w * 0.55, w * 0.85, h * 0.7, h * 0.78, h)


def _box(left, right, top, bottom, page_height_px):
    pt = 0.75  # CSS px → PDF points
    cx, cy = (left + right) / 2 * pt, page_height_px * pt - (top + bottom) / 2 * pt
    w, h = SEAL_SIZE
    return (round(cx - w / 2, 2), round(cy - h / 2, 2), round(cx + w / 2, 2), round(cy + h / 2, 2))


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)


def _role(box):
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", "") != "p":
        return None
    return element.get("class")


SEAL_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="seal"><p class="organ">{organ}</p><p class="what">{what}</p><p class="day">{day}</p>
</div></body></html>"""


def _seal_css(width, height):
    return (
        f"@page {{ size: {width}pt {height}pt; margin: 0; }}"
        "html, body { margin: 0; font-family: 'Banli Hei', 'Banli Song', 'Banli Ext'; }"
        f".seal {{ box-sizing: border-box; width: {width}pt; height: {height}pt;"
        " border: 1.5pt solid #d00; border-radius: 8pt; color: #d00; text-align: center;"
        " padding: 5pt 4pt; }"
        ".seal p { margin: 0; line-height: 1.35; } .organ { font-size: 10pt; }"
        ".what { font-size: 14pt; letter-spacing: 3pt; } .day { font-size: 9pt; }"
    )


def seal_appearance(organ, day):
    """The seal's look as a one-page PDF (rendered by WeasyPrint in Banli's faces: pyHanko's
    own text stamps cannot set Chinese without uharfbuzz, which Banli does not carry)."""
    from weasyprint import CSS, HTML

    from . import rendering

    config, _sheets = rendering._print_setup()
    faces = _seal_faces(config)
    # The seal is part of the Chinese document, in Chinese whatever the reader's language.
    source = SEAL_HTML.format(organ=escape(organ), what="电子签章", day=escape(day))
    sheet = CSS(string=_seal_css(*SEAL_SIZE), font_config=config)
    return HTML(string=source).write_pdf(stylesheets=[faces, sheet], font_config=config)


@cache
def _seal_faces(config):
    from weasyprint import CSS

    from . import glyphs

    return CSS(string=glyphs.font_face_css(), font_config=config)


class _PdfPageBytes:
    """pyHanko's ImportedPdfPage reads a file by name; this one takes the bytes."""

    @staticmethod
    def content(data):
        import binascii
        import uuid

        from pyhanko.pdf_utils.content import PdfContent
        from pyhanko.pdf_utils.layout import BoxConstraints
        from pyhanko.pdf_utils.reader import PdfFileReader

        class Imported(PdfContent):
            def render(self):
                writer = self._ensure_writer
                xobj = writer.import_page_as_xobject(PdfFileReader(BytesIO(data)), page_ix=0)
                name = b"/Seal" + binascii.hexlify(uuid.uuid4().bytes)
                self.resources.xobject[name.decode("ascii")] = xobj
                x1, y1, x2, y2 = xobj.get_object()["/BBox"]
                self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
                return name + b" Do"

        return Imported()


def sign_pdf(content, row, organ, day, position):
    """`content` signed by the certificate `row` as PAdES B-B, the seal shown at `position`
    (page index, box). Returns the signed file (an incremental update of `content`)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import StaticStampStyle

    page, box = position
    style = StaticStampStyle(
        background=_PdfPageBytes.content(seal_appearance(organ, day)), border_width=0
    )
    meta = PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=organ,
        reason="电子签章",
    )
    signer = PdfSigner(
        meta,
        signer_for(row),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD, on_page=page, box=box),
    )
    out = BytesIO()
    signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(content), strict=False), output=out)
    return out.getvalue()


def sealer(letter):
    """What rendering.pdf calls with the checked, unsigned PDF: the letter signed by its
    issuing unit, the seal over its 落款."""
    from .rendering import chinese_date

    row = current(letter.assignment.unit)
    day = chinese_date(letter.letter_date) if letter.letter_date else ""

    def seal(content, document):
        return sign_pdf(content, row, letter.signing_organ, day, seal_position(document))

    return seal
