"""Units (承办单位) and who works for them: a unit's clerks and leaders, and the members of a
jurisdiction's proposal office."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.models import Jurisdiction


class Unit(models.Model):
    """承办单位: a handling agency, e.g. 上海市科学技术委员会 (organ code 沪科)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="units", verbose_name=_("行政区")
    )
    name = models.CharField(_("单位全称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    organ_code = models.CharField(
        _("机关代字"), max_length=20, blank=True, help_text=_("发文字号的代字，如“沪科”。")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    issuing_office = models.CharField(
        _("印发机关"),
        max_length=100,
        blank=True,
        help_text=_("版记中的印发机关，如“上海市科委办公室”。"),
    )
    series_proposal_reply = models.CharField(_("提案答复文种代字"), max_length=10, default="提复")
    series_suggestion_reply = models.CharField(_("建议答复文种代字"), max_length=10, default="建复")
    series_opinion = models.CharField(_("会办意见文种代字"), max_length=10, default="函")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["jurisdiction_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="unit_name_unique"),
        ]

    def __str__(self):
        return self.name


class UnitMembership(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("承办人")
        LEADER = "leader", _("审核签发人")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class OfficeMembership(models.Model):
    """A member of a jurisdiction's proposal office (建议提案处 / 提案办)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_memberships"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="office_memberships"
    )

    class Meta:
        verbose_name = _("建议提案处成员")
        verbose_name_plural = _("建议提案处成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "jurisdiction"], name="office_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.jurisdiction}"
