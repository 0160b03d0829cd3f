from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from proposals.classification import SCHEMES

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

    def __init__(self, *args, scheme=None, editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.disabled = not editable
        choices = [("", _("请选择"))] + [(k, v[1]) for k, v in SCHEMES.get(scheme, {}).items()]
        self.fields["class_label"].choices = choices
        self.fields["disclosure"].choices = Disclosure.choices
        self.fields["withheld_reason"].choices = [("", "—")] + WithholdingReason.choices
        for name in ("title", "addressee", "signing_organ"):
            self.fields[name].required = False  # a draft may be saved half done


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
