import re

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from proposals.classification import SCHEMES
from proposals.models import Proposal, Proposer
from proposals.untrusted import validate_one_line

from .actions import LETTER_FIELDS
from .models import Disclosure, Rating, Reply, WithholdingReason

LETTER_WIDGETS = {
    "body": forms.Textarea(attrs={"rows": 18, "class": "letter-body"}),
    "summary": forms.Textarea(attrs={"rows": 3}),
    "cc": forms.Textarea(attrs={"rows": 3}),
    "letter_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
}


# The model's fields with their labels, as a plain form: views hand the cleaned data to
# `save_letter`, never to a ModelForm's save().
LetterFields = type(
    "LetterFields",
    (forms.Form,),
    fields_for_model(Reply, LETTER_FIELDS, widgets=LETTER_WIDGETS),
)


class LetterForm(LetterFields):
    """Every element of the letter; the result classes come from the jurisdiction's scheme."""

    class_label = forms.ChoiceField(label=_("办理结果类别"), required=False)

    def __init__(self, *args, scheme=None, editable=True, elements=LETTER_FIELDS, **kwargs):
        """`elements`: the ones this letter has (drafting.fields_of); the others are not
        offered, and not accepted if posted."""
        super().__init__(*args, **kwargs)
        for name in set(self.fields).difference(elements):
            del self.fields[name]
        for field in self.fields.values():
            field.disabled = not editable
        if "class_label" in self.fields:
            choices = [("", _("请选择"))] + [(k, v[1]) for k, v in SCHEMES.get(scheme, {}).items()]
            self.fields["class_label"].choices = choices
        if "disclosure" in self.fields:
            self.fields["disclosure"].choices = Disclosure.choices
            self.fields["withheld_reason"].choices = [("", "—")] + WithholdingReason.choices
        for name in ("title", "addressee", "signing_organ"):
            self.fields[name].required = False  # a draft may be saved half done
        self.fields["title"].validators.append(validate_one_line)  # it heads the mail


class RatingForm(forms.Form):
    handling = forms.ChoiceField(
        label=_("对办理工作"), choices=Rating.choices, widget=forms.RadioSelect
    )
    result = forms.ChoiceField(
        label=_("对办理结果"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PaperFeedbackForm(RatingForm):
    proposer = forms.IntegerField(widget=forms.HiddenInput)


class PaperDeliveryForm(forms.Form):
    """纸质送达: the day a paper copy was handed over or posted, and the post's number."""

    handed_on = forms.DateField(label=_("交付/寄出日期"))
    tracking_number = forms.CharField(label=_("邮件单号"), max_length=50, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))


class VerifyForm(forms.Form):
    """/verify/: a letter's PDF, or its document number and SHA-256."""

    file = forms.FileField(label=_("函件PDF文件"), required=False)
    doc_number = forms.CharField(label=_("发文字号"), max_length=60, required=False)
    sha256 = forms.CharField(label=_("SHA-256"), max_length=64, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("doc_number") and data.get("sha256")):
            raise forms.ValidationError(_("请上传PDF文件，或填写发文字号和SHA-256。"))
        return data


NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


class PastLetterForm(forms.Form):
    """One letter of an import as the office confirms it before saving: what the importer
    recognised, pre-filled, and what it missed, empty and marked. Only a confirmed letter is
    checked (an unconfirmed one stays in the import as typed); its values go to
    `save_letter_import`, which checks the rules again. `sessions` and `units` are the
    jurisdiction's, read once for every letter of the page ({pk: object})."""

    use_required_attribute = False  # an unconfirmed letter may be left incomplete

    confirmed = forms.BooleanField(label=_("确认保存此件"), required=False)
    letter_kind = forms.ChoiceField(
        label=_("函件类型"), choices=[("reply", _("答复函")), ("opinion", _("会办意见"))]
    )
    item_kind = forms.ChoiceField(label=_("案件类型"), choices=Proposal.Kind.choices)
    session = forms.TypedChoiceField(label=_("届次会议"), coerce=int)
    number = forms.CharField(
        label=_("案号"), max_length=Proposal._meta.get_field("number").max_length
    )
    title = forms.CharField(label=_("标题"), max_length=300)
    unit = forms.TypedChoiceField(label=_("承办单位（发文机关）"), coerce=int)
    lead_unit = forms.TypedChoiceField(
        label=_("主办单位（会办意见的主送）"), coerce=int, required=False, empty_value=None
    )
    proposers = forms.CharField(
        label=_("提出人"), required=False, max_length=500, help_text=_("多人以“、”分隔")
    )
    addressee = forms.CharField(label=_("主送"), required=False, max_length=300)
    doc_number = forms.CharField(label=_("发文字号"), required=False, max_length=50)
    class_label = forms.CharField(label=_("办理结果类别"), required=False, max_length=10)
    letter_date = forms.DateField(
        label=_("成文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    signer_name = forms.CharField(label=_("签发人"), required=False, max_length=50)
    contact_person = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=50)

    def __init__(self, *args, sessions, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions, self.units = sessions, units
        empty = [("", _("请选择"))]
        self.fields["session"].choices = empty + [(pk, str(s)) for pk, s in sessions.items()]
        for name in ("unit", "lead_unit"):
            self.fields[name].choices = empty + [(pk, u.name) for pk, u in units.items()]
        opinion = self.initial.get("letter_kind") == "opinion"
        unasked = {"confirmed", "proposers" if opinion else "lead_unit"}
        for name, field in self.fields.items():
            if name not in unasked and self.initial.get(name) in (None, ""):
                field.widget.attrs["class"] = "missed"  # what the importer did not recognise

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.cleaned_data.get("confirmed"):
            self._errors = forms.utils.ErrorDict()  # not saved now: nothing to check
            self.cleaned_data = {"confirmed": False}

    def clean(self):
        data = super().clean()
        data["session"] = self.sessions.get(data.get("session"))
        data["unit"] = self.units.get(data.get("unit"))
        data["lead_unit"] = self.units.get(data.get("lead_unit"))
        if data.get("letter_kind") == "opinion" and data["lead_unit"] is None:
            self.add_error("lead_unit", _("会办意见须选择主办单位。"))
        data["proposers"] = [n for n in NAME_SEPARATORS.split(data.get("proposers", "")) if n]
        limit = Proposer._meta.get_field("name").max_length
        if any(len(name) > limit for name in data["proposers"]):
            self.add_error("proposers", _("提出人姓名或名称不能超过%(n)d个字。") % {"n": limit})
        return data


def confirmed_letters(letters):
    """{index: cleaned values} of the letters the office confirmed on the import's page, or
    None when one of them is invalid (each form then shows its errors)."""
    valid = [letter["form"].is_valid() for letter in letters if "form" in letter]
    if not all(valid):  # every form was checked, so each shows its errors
        return None
    return {
        letter["index"]: letter["form"].cleaned_data
        for letter in letters
        if "form" in letter and letter["form"].cleaned_data["confirmed"]
    }


def show_refusals(letters, problems):
    """The reasons `save_letter_import` refused letters, beside the fields they are about."""
    for letter in letters:
        for field, messages in problems.get(letter["index"], {}).items():
            for message in messages:
                letter["form"].add_error(None if field == "__all__" else field, message)
