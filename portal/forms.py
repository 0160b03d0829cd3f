from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from workflow.models import ProposerNoticeWay

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
    """通知方式: only the ways this proposer has an address for, and none."""

    way = forms.ChoiceField(label=_("通知方式"), widget=forms.RadioSelect)

    def __init__(self, proposer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        have = {ProposerNoticeWay.SMS: proposer.mobile, ProposerNoticeWay.EMAIL: proposer.email}
        self.fields["way"].choices = [
            (way.value, way.label)
            for way in ProposerNoticeWay
            if way == ProposerNoticeWay.NONE or have[way]
        ]
