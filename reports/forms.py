"""The filter of the statistics page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, Session


class StatisticsFilter(forms.Form):
    """年度 / 机关 / 届次 / 类型 of the statistics page; sessions limited to the office's."""

    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    body = forms.ChoiceField(label=_("机关"), required=False)
    session = forms.ModelChoiceField(
        Session.objects.none(), label=_("届次会议"), required=False, empty_label=_("全部届次")
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型"))] + Proposal.Kind.choices
    )

    def __init__(self, data, jurisdiction_ids):
        sessions = Session.objects.filter(jurisdiction_id__in=jurisdiction_ids)
        years = sorted(set(sessions.values_list("year", flat=True)), reverse=True)
        if "year" not in data and years:
            data = data.copy()
            data["year"] = str(years[0])  # the latest year unless asked otherwise
        super().__init__(data)
        self.fields["year"].choices = [("", _("全部年度"))] + [
            (y, _("%(year)s年度") % {"year": y}) for y in years
        ]
        self.fields["body"].choices = [("", _("人大和政协"))] + Session.Body.choices
        self.fields["session"].queryset = sessions.order_by("-year", "body")

    def filters(self):
        """What was asked and is valid; an invalid field (a kind or session that is not
        there) is left out and shown as an error, never silently widening the rest."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
