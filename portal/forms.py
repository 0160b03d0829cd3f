from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from proposals.models import Session
from workflow.actions.filing import COSIGN_DAYS, COSIGN_DAYS_AT_MOST
from workflow.models import ProposerNoticeWay, Unit

from .models import Invitation


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(MobileForm):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordSignInForm(MobileForm):
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class WelcomeForm(SetPasswordForm):
    """设置密码: Django's, with the password policy (AUTH_PASSWORD_VALIDATORS)."""


class InviteForm(forms.Form):
    channel = forms.ChoiceField(choices=Invitation.Channel.choices)
    contact = forms.IntegerField(required=False)


class ContactPersonForm(forms.Form):
    name = forms.CharField(label=_("联系人姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False)


class NoticeWayForm(forms.Form):
    """通知方式: only the ways this proposer (or named contact: both have a mobile and an
    email) has an address for, and none."""

    way = forms.ChoiceField(label=_("通知方式"), widget=forms.RadioSelect)

    def __init__(self, proposer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        have = {ProposerNoticeWay.SMS: proposer.mobile, ProposerNoticeWay.EMAIL: proposer.email}
        self.fields["way"].choices = [
            (way.value, way.label)
            for way in ProposerNoticeWay
            if way == ProposerNoticeWay.NONE or have[way]
        ]


# ---- 网上提交 (filing online) ---------------------------------------------------------------
class DraftForm(forms.Form):
    """The draft's text and suggested units, as start_draft and edit_draft take them; the
    units offered are the session's jurisdiction's active ones (the verbs check the same)."""

    title = forms.CharField(
        label=_("案由"),
        max_length=300,
        help_text=_("一句话写明所提事项，如“关于……的提案（建议）”。"),
    )
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("建议承办单位（可不选）"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, session, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(
            jurisdiction_id=session.jurisdiction_id, is_active=True
        ).order_by("name")


class NewDraftForm(DraftForm):
    session = forms.ModelChoiceField(label=_("届次会议"), queryset=Session.objects.none())

    def __init__(self, sessions, *args, **kwargs):
        sessions = list(sessions)
        super().__init__(sessions[0], *args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(pk__in=[s.pk for s in sessions])
        self.fields["session"].initial = sessions[0].pk
        self.order_fields(["session", "title", "body", "units"])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF、DOCX或图片，不超过10MB）"))


class CosignersForm(forms.Form):
    """联名: the chosen co-signers in the lead's order, and the days they have to answer."""

    cosigners = forms.TypedMultipleChoiceField(coerce=int, choices=())
    days = forms.IntegerField(
        label=_("确认期限（天）"), min_value=1, max_value=COSIGN_DAYS_AT_MOST, initial=COSIGN_DAYS
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        allowed = candidates.values_list("pk", flat=True)
        self.fields["cosigners"].choices = [(pk, pk) for pk in allowed]

    def chosen(self):
        """The proposers chosen, in the order given."""
        by_pk = self.candidates.in_bulk(self.cleaned_data["cosigners"])
        return [by_pk[pk] for pk in dict.fromkeys(self.cleaned_data["cosigners"])]
