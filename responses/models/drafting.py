"""What a drafter writes with: the policy documents replies cite, and each unit's standard
texts (templates with placeholders)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import Unit


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


class LetterTemplate(models.Model):
    """A unit's standard text, per letter kind and result class, with placeholders the
    drafter's letter fills in: 【提出人】【届次会议】【案号】【案由】【办理单位】."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(
        _("函件"), max_length=8, choices=[("reply", _("答复函")), ("opinion", _("会办意见"))]
    )
    class_label = models.CharField(
        _("适用类别"), max_length=10, blank=True, help_text=_("留空适用于所有类别。")
    )
    name = models.CharField(_("名称"), max_length=50)
    body = models.TextField(_("正文模板"))

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["unit_id", "kind", "class_label", "name"]

    def __str__(self):
        return self.name

    def fill(self, letter):
        proposal = letter.assignment.proposal
        names = [s.proposer.name for s in proposal.signatories.select_related("proposer")]
        values = {
            "【提出人】": "、".join(names),
            "【届次会议】": str(proposal.session),
            "【案号】": proposal.number,
            "【案由】": proposal.title,
            "【办理单位】": letter.assignment.unit.name,
        }
        text = self.body
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text
