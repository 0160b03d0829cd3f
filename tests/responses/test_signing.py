"""Sent letters are signed by their issuing unit (PAdES, the seal over the 落款), and anyone
can check a letter's PDF at /verify/: genuine, altered, re-signed by another key, or unknown."""

import datetime
import hashlib
import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from responses import glyphs, rendering, signing, verification
from responses.actions import (
    freeze,
    publish_letter,
    refreeze_pdf,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from responses.models import LetterFile, SigningCertificate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(office, clerk, leader, kewei):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    publish_letter(reply, clerk)
    reply.refresh_from_db()
    return reply


@pytest.fixture
def frozen(sent):
    return bytes(freeze(sent)["pdf"].content)


def self_made(name="上海市科学技术委员会"):
    """A key and self-signed certificate anyone could make, with the organ's name."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def verify_page(client, **data):
    return client.post("/verify/", data)


def test_the_frozen_pdf_is_signed_by_its_unit_chaining_to_the_installation_root(
    sent, frozen, kewei
):
    reader = PdfFileReader(io.BytesIO(frozen))
    (embedded,) = reader.embedded_signatures
    root = SigningCertificate.objects.get(kind="root")
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(root.x509().public_bytes(serialization.Encoding.DER))
        ],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    status = validate_pdf_signature(embedded, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    unit_cert = signing.current(kewei)
    assert hashlib.sha256(embedded.signer_cert.dump()).hexdigest() == unit_cert.fingerprint
    assert embedded.sig_field["/T"] == signing.SEAL_FIELD
    # The seal is a visible widget on the page of the 落款, in its lower half.
    widget = embedded.sig_field
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 50 and y2 < 842 / 2 + 300
    # What is stored is the signed file; the DOCX is not signed (a working copy).
    assert sent.files.get(format="pdf").sha256 == hashlib.sha256(frozen).hexdigest()
    # Signing keeps the checks' view of the file: its text is the letter's, its fonts Banli's.
    texts = [text for _role, text in rendering.lines(sent)]
    assert glyphs.text_problems(frozen, texts) == []
    assert glyphs.foreign_fonts(frozen) == set()


def test_a_repair_run_leaves_a_signed_letter_alone(sent, frozen):
    assert refreeze_pdf(sent.files.get(format="pdf")) is None


def test_verify_accepts_the_frozen_pdf_and_names_organ_number_and_date(client, sent, frozen):
    response = verify_page(client, file=SimpleUploadedFile("letter.pdf", frozen))
    assert response.status_code == 200
    page = response.content.decode()
    assert "核验通过" in page
    assert sent.signing_organ in page and sent.doc_number in page
    assert sent.letter_date.strftime("%Y-%m-%d") in page
    assert sent.assignment.proposal.title in page  # public: the item it answers


def test_verify_by_number_and_hash(client, sent, frozen):
    digest = hashlib.sha256(frozen).hexdigest()
    page = verify_page(client, doc_number=sent.doc_number, sha256=digest.upper()).content.decode()
    assert "核验通过" in page and sent.signing_organ in page
    page = verify_page(client, doc_number=sent.doc_number, sha256="0" * 64).content.decode()
    assert "文件已被改动" in page and "核验通过" not in page
    page = verify_page(client, doc_number="沪科提复〔1999〕1号", sha256=digest).content.decode()
    assert "本系统没有发出过该文号的函件" in page


def test_a_pdf_changed_by_one_byte_is_reported_altered(client, frozen):
    at = frozen.index(b"WeasyPrint")  # the producer's name, inside the signed bytes
    changed = frozen[:at] + b"w" + frozen[at + 1 :]
    assert len(changed) == len(frozen)
    assert verification.verify_pdf(changed).status == verification.Status.ALTERED
    page = verify_page(client, file=SimpleUploadedFile("x.pdf", changed)).content.decode()
    assert "文件已被改动" in page and "核验通过" not in page


def test_a_pdf_changed_after_signing_is_reported_altered(frozen):
    appended = frozen + b"\n% a comment added after signing\n"
    assert verification.verify_pdf(appended).status == verification.Status.ALTERED


def test_a_copy_re_signed_with_another_key_is_not_banlis(client, sent, frozen):
    key, cert = self_made()
    stranger = SigningCertificate(
        kind="imported",
        fingerprint=signing.fingerprint(cert),
        certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
        private_key=signing.seal_key(key, signing.fingerprint(cert)),
    )
    unsigned = rendering.pdf(sent)
    forged = signing.sign_pdf(
        unsigned, stranger, sent.signing_organ, "2026年1月1日", (0, (300, 100, 450, 170))
    )
    result = verification.verify_pdf(forged)
    assert result.status == verification.Status.FOREIGN
    page = verify_page(client, file=SimpleUploadedFile("x.pdf", forged)).content.decode()
    assert "非本系统签章" in page and "核验通过" not in page


def test_an_unsigned_pdf_and_a_random_file_are_unknown_without_error(client, sent):
    unsigned = rendering.pdf(sent)
    response = verify_page(client, file=SimpleUploadedFile("x.pdf", unsigned))
    assert response.status_code == 200
    assert "无法确认" in response.content.decode()
    for junk in (b"%PDF-1.7\n" + bytes(range(256)) * 20, b"not a pdf at all", b"\x00" * 100):
        response = verify_page(client, file=SimpleUploadedFile("x.pdf", junk))
        assert response.status_code == 200
        assert "无法读取" in response.content.decode()


def test_a_withheld_letter_verifies_without_showing_its_content(
    client, office, clerk, leader, kewei
):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    save_letter(
        reply,
        clerk,
        body="不予公开的答复正文",
        class_label="留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    submit_letter(reply, clerk)
    sign_letter(reply, leader)
    reply = send_letter(reply, clerk)
    content = bytes(freeze(reply)["pdf"].content)
    page = verify_page(client, file=SimpleUploadedFile("x.pdf", content)).content.decode()
    assert "核验通过" in page and reply.signing_organ in page and reply.doc_number in page
    proposal = reply.assignment.proposal
    for secret in ("不予公开的答复正文", reply.title, proposal.title, reply.addressee):
        assert secret not in page
    assert "该函件未公开" in page


def test_the_key_is_not_visible_in_the_admin(client, sent, frozen, kewei):
    admin = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    row = signing.current(kewei)
    key = signing.open_key(row.private_key, row.fingerprint)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    scalar = format(key.private_numbers().private_value, "x")
    stored = bytes(row.private_key)
    assert der not in stored  # encrypted at rest
    for url in (
        f"/admin/workflow/unit/{kewei.pk}/change/",
        "/admin/responses/signingcertificate/",
        f"/admin/responses/signingcertificate/{row.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content
        assert b"PRIVATE KEY" not in body and pem not in body
        assert scalar.encode() not in body and stored.hex().encode() not in body
    assert row.fingerprint.encode() in client.get("/admin/responses/signingcertificate/").content


def test_only_the_superuser_sees_and_imports_certificates(client, office, kewei):
    client.force_login(office)
    assert client.get("/admin/responses/signingcertificate/").status_code == 403
    assert client.get("/admin/responses/signingcertificate/add/").status_code == 403


def test_an_organs_own_certificate_is_imported_and_signs_its_letters(
    client, office, clerk, leader, kewei
):
    key, cert = self_made()
    p12 = pkcs12.serialize_key_and_certificates(
        b"kewei", key, cert, None, serialization.BestAvailableEncryption(b"secret")
    )
    admin = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/responses/signingcertificate/add/",
        {"unit": kewei.pk, "pkcs12": SimpleUploadedFile("k.p12", p12), "password": "secret"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    row = signing.current(kewei)
    assert row.kind == "imported" and row.fingerprint == signing.fingerprint(cert)
    reply = factories.sent_reply(office, clerk, leader, kewei)
    content = bytes(freeze(reply)["pdf"].content)
    (embedded,) = PdfFileReader(io.BytesIO(content)).embedded_signatures
    assert hashlib.sha256(embedded.signer_cert.dump()).hexdigest() == row.fingerprint
    assert verification.verify_pdf(content).genuine
    wrong = client.post(
        "/admin/responses/signingcertificate/add/",
        {"unit": kewei.pk, "pkcs12": SimpleUploadedFile("k.p12", p12), "password": "nope"},
    )
    assert wrong.status_code == 200 and "无法读取该PKCS#12文件" in wrong.content.decode()


def test_issue_signing_keys_gives_every_unit_a_certificate(kewei):
    from django.core.management import call_command

    other = factories.unit("上海市教育委员会", organ_code="沪教")
    out = io.StringIO()
    call_command("issue_signing_keys", stdout=out)
    assert SigningCertificate.objects.filter(unit__in=[kewei, other], retired_at=None).count() == 2
    call_command("issue_signing_keys", stdout=out)
    assert SigningCertificate.objects.filter(kind="root").count() == 1
    assert SigningCertificate.objects.filter(unit__isnull=False).count() == 2


def test_a_letter_frozen_before_signing_still_verifies_by_its_stored_hash(client, sent):
    unsigned = rendering.pdf(sent)
    LetterFile.objects.create(
        reply=sent, format="pdf", content=unsigned, sha256=rendering.digest(unsigned)
    )
    result = verification.verify_pdf(unsigned)
    assert result.genuine and result.signed_at is None
    assert "尚未加盖电子签章" in result.message
    page = verify_page(client, file=SimpleUploadedFile("x.pdf", unsigned)).content.decode()
    assert "核验通过" in page and "签章时间" not in page


def test_an_oversized_upload_is_refused_before_reading(client, monkeypatch, frozen):
    monkeypatch.setattr(verification, "MAX_BYTES", len(frozen) - 1)
    page = verify_page(client, file=SimpleUploadedFile("x.pdf", frozen)).content.decode()
    assert "无法读取" in page and "MB" in page


def test_the_verify_page_is_public_and_asks_for_a_file_or_number(client):
    page = client.get("/verify/")
    assert page.status_code == 200 and "函件核验" in page.content.decode()
    empty = client.post("/verify/", {}).content.decode()
    assert "请上传PDF文件，或填写发文字号和SHA-256" in empty


def test_a_file_that_takes_too_long_to_read_is_reported_not_waited_for(monkeypatch):
    """The parse runs in a child process that is killed at the limit, not left running."""
    import time

    monkeypatch.setattr(verification, "READ_SECONDS", 0.5)
    monkeypatch.setattr(verification, "_signature_of", lambda content, roots: time.sleep(600))
    result = verification.verify_pdf(b"%PDF-1.7 slow")
    assert result.status == verification.Status.UNREADABLE and "超时" in result.message
