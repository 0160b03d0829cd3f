"""The forms of the letter editor's commitment panel (承诺事项): each commitment as found or
confirmed, a new one, a follow-up reply's report on each (the item page's steps post one
text each, read by their views). They only parse what was typed; the verbs in
responses/actions/commitments.py decide, and a refusal naming a field (ActionRefused.field)
is put back beside that field with what was typed kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DueKind, Outcome
from .models.commitment_states import REPORTABLE_STATES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitmentForm(forms.Form):
    """What will be done, by which of the item's handling units, by when. `units` are those
    units ({pk: unit}), read once for every form of the panel."""

    what = forms.CharField(
        label=_("承诺内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.TypedChoiceField(label=_("落实单位"), coerce=int)
    due_kind = forms.ChoiceField(label=_("完成时限"), choices=DueKind.choices)
    promised_on = forms.DateField(
        label=_("承诺完成时间"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("选“季度末”或“年底”时，填该季度或该年内的任一日期。"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["unit"].choices = [(pk, u.name) for pk, u in units.items()]
        # The verb says what is missing, beside its field, in its own words.
        self.fields["what"].required = False

    def clean(self):
        data = super().clean()
        data["unit"] = self.units.get(data.get("unit"))
        return data

    @classmethod
    def of(cls, commitment, units, data=None):
        initial = {
            "what": commitment.what,
            "unit": commitment.unit_id,
            "due_kind": commitment.due_kind,
            "promised_on": commitment.promised_on,
        }
        return cls(data, initial=initial, units=units, prefix=f"c{commitment.pk}")


class ReportForm(forms.Form):
    """A follow-up reply's word on one commitment: delivered, partly, or not reported."""

    outcome = forms.ChoiceField(
        label=_("落实情况"),
        required=False,
        choices=[*Outcome.choices, ("", _("不报告"))],
    )
    note = forms.CharField(
        label=_("落实说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def of(cls, commitment, follow_up, data=None):
        reported = commitment.follow_up_id == follow_up.pk
        initial = {
            "outcome": commitment.outcome if reported else "",
            "note": commitment.outcome_note if reported else "",
        }
        form = cls(data, initial=initial, prefix=f"r{commitment.pk}")
        if commitment.state not in REPORTABLE_STATES:  # dropped meanwhile: only taken out
            form.fields["outcome"].choices = [("", _("不报告"))]
        return form
