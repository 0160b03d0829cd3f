"""Document numbers (发文字号): the counter per unit, series and year that
`responses.actions.allocate_doc_number` advances under a row lock."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import Unit


class DocumentCounter(models.Model):
    """The last number issued per unit, series and year: a number is never reused."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("文种代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_number = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "series", "year"], name="counter_unique"),
        ]

    def __str__(self):
        return f"{self.unit.organ_code}{self.series}〔{self.year}〕{self.last_number}"
