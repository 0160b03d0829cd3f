"""What a drafter writes with: the policy documents replies cite, and each unit's standard
texts (templates with placeholders)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import Unit

from .. import letter_text


class ReferenceDocument(models.Model):
    """A policy document replies cite (seed 001, 沪科合〔2022〕29号): not a reply itself."""

    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=50, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    body = models.TextField(_("正文"), blank=True)

    class Meta:
        verbose_name = _("引用文件")
        verbose_name_plural = _("引用文件")

    def __str__(self):
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title


class LetterTemplateQuerySet(models.QuerySet):
    def matching(self, unit_id, role, proposal_kind):
        """A unit's templates for a letter of this role (答复函 or 会办意见) on an item of this
        kind: those written for that kind (提案 or 建议) and those written for both."""
        return self.filter(unit_id=unit_id, role=role, kind__in=["", proposal_kind])

    def for_letter(self, letter):
        """The templates a letter may use: the editor offers these, apply_template accepts
        only these."""
        return self.matching(
            letter.assignment.unit_id, letter._meta.model_name, letter.assignment.proposal.kind
        )


class LetterTemplate(models.Model):
    """A unit's standard text, per letter role, item kind and result class, with placeholders
    the drafter's letter fills in (responses/letter_text.py: 【主送】【称谓】【类别】 …)."""

    class Role(models.TextChoices):
        REPLY = "reply", _("答复函")
        OPINION = "opinion", _("会办意见")

    class Kind(models.TextChoices):
        BOTH = "", _("提案和建议")
        PROPOSAL = "proposal", _("提案")
        SUGGESTION = "suggestion", _("建议")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="letter_templates")
    role = models.CharField(_("函件"), max_length=8, choices=Role.choices)
    kind = models.CharField(
        _("适用于"),
        max_length=12,
        choices=Kind.choices,
        blank=True,
        help_text=_("写有“委员”“提案”等字样的模板只适用于提案；用【称谓】【类别】可两者通用。"),
    )
    class_label = models.CharField(
        _("适用类别"), max_length=10, blank=True, help_text=_("留空适用于所有类别。")
    )
    name = models.CharField(_("名称"), max_length=50)
    body = models.TextField(_("正文模板"))

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["unit_id", "role", "kind", "class_label", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = letter_text.unknown_placeholders(self.body)
        if unknown:
            raise ValidationError(
                {
                    "body": _("“%(names)s”不是可用的占位符。可用的有：%(known)s。")
                    % {
                        "names": "、".join(f"【{name}】" for name in unknown),
                        "known": "".join(f"【{name}】" for name in letter_text.PLACEHOLDERS),
                    }
                }
            )

    def fill(self, letter):
        return letter_text.fill(self.body, letter)
