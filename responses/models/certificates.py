"""The certificates letters are sealed with (responses.signing issues and uses them)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.models import Unit


class SigningCertificate(models.Model):
    """A certificate Banli signs letters with (responses/signing.py): this installation's root
    CA (no unit), or a unit's, issued by that root or imported (PKCS#12). A unit has at most
    one in force; retired ones stay so that what they signed still verifies. The private key is
    kept encrypted under SECRET_KEY and is never shown."""

    class Kind(models.TextChoices):
        ROOT = "root", _("根证书")
        GENERATED = "generated", _("系统签发")
        IMPORTED = "imported", _("导入")

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_certificates",
        verbose_name=_("承办单位"),
    )
    kind = models.CharField(_("来源"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("证书主题"), max_length=300)
    fingerprint = models.CharField(_("SHA-256指纹"), max_length=64, unique=True)
    certificate = models.TextField(_("证书"))
    chain = models.TextField(_("证书链"), blank=True)
    private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    not_after = models.DateTimeField(_("有效期至"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签章证书")
        verbose_name_plural = _("签章证书")
        ordering = ["unit_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(retired_at__isnull=True, unit__isnull=False),
                name="one_certificate_in_force",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="root"), name="one_root_certificate"
            ),
        ]

    def __str__(self):
        return f"{self.unit or self.get_kind_display()} · {self.fingerprint[:16]}"

    def x509(self):
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.certificate.encode())

    def chain_x509(self):
        from cryptography import x509

        return x509.load_pem_x509_certificates(self.chain.encode()) if self.chain else []
