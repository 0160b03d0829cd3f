from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Jurisdiction, Proposal, Proposer, Session

from .aging import AGING_BANDS
from .models import Assignment, AssignmentState, Contact, NoticeMode, Unit

DUE_WINDOWS = [
    ("", _("全部期限")),
    ("overdue", _("已逾期")),
    ("7", _("7日内到期")),
    ("30", _("30日内到期")),
]


class SessionsInScope:
    """The session choices are the caller's own jurisdictions' (Roles.jurisdiction_ids):
    another province's sessions are neither offered nor accepted."""

    def __init__(self, data=None, *, jurisdiction_ids=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(
            jurisdiction_id__in=jurisdiction_ids
        )


class InboxFilter(SessionsInScope, forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("open", _("未办结")), ("", _("全部状态"))] + AssignmentState.choices,
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型"))] + Proposal.Kind.choices
    )
    session = forms.ModelChoiceField(
        Session.objects.all(), label=_("届次会议"), required=False, empty_label=_("全部届次")
    )
    due = forms.ChoiceField(label=_("期限"), required=False, choices=DUE_WINDOWS)
    role = forms.ChoiceField(
        label=_("办理方式"), required=False, choices=[("", _("全部"))] + Assignment.Role.choices
    )


class MonitorFilter(SessionsInScope, forms.Form):
    body = forms.ChoiceField(
        label=_("机关"), required=False, choices=[("", _("人大和政协"))] + Session.Body.choices
    )
    session = forms.ModelChoiceField(
        Session.objects.all(), label=_("届次会议"), required=False, empty_label=_("全部届次")
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型"))] + Proposal.Kind.choices
    )
    key = forms.BooleanField(label=_("只看重点件"), required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), required=False, widget=forms.HiddenInput)
    band = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(b[0], b[1]) for b in AGING_BANDS],
        widget=forms.HiddenInput,
    )
    state = forms.ChoiceField(
        required=False, choices=[("", "")] + AssignmentState.choices, widget=forms.HiddenInput
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(ReasonForm):
    suggested_unit = forms.ModelChoiceField(
        Unit.objects.filter(is_active=True), label=_("建议改由"), required=False
    )


class ExtensionForm(ReasonForm):
    requested_due = forms.DateField(
        label=_("申请延至"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["contacted_on", "method", "proposer", "with_whom", "summary"]
        widgets = {
            "contacted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None:
            self.fields["proposer"].queryset = proposal.proposers.all()


def split_names(text):
    for separator in (",", "，", ";", "；"):
        text = text.replace(separator, "、")
    return [name.strip() for name in text.split("、") if name.strip()]


def validate_proposer_names(text):
    """At least one name, each short enough to be a name (the column holds 100)."""
    names = split_names(text)
    limit = Proposer._meta.get_field("name").max_length
    if not names:
        raise forms.ValidationError(_("请填写提出人，第一位为领衔人。"))
    if any(len(name) > limit for name in names):
        raise forms.ValidationError(_("提出人姓名或名称不能超过%(n)d个字。") % {"n": limit})
    return text


def proposers_from_names(text, kind):
    """“章毅、张远波，朱军红” → (name, kind) in that order (the lead first). Nothing is looked
    up or written here: receive_proposal finds or adds them in the session's jurisdiction
    once it knows the actor may register there."""
    return [(name, kind) for name in split_names(text)]


class IntakeForm(SessionsInScope, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Proposal.Kind.choices)
    session = forms.ModelChoiceField(Session.objects.all(), label=_("届次会议"))
    number = forms.CharField(label=_("案号"), max_length=20)
    title = forms.CharField(label=_("案由"), max_length=300)
    proposer_names = forms.CharField(
        label=_("提出人"),
        help_text=_("按顺序填写，第一位为领衔人，用“、”或逗号分隔。"),
        validators=[validate_proposer_names],
    )
    proposer_kind = forms.ChoiceField(label=_("提出人类别"), choices=Proposer.Kind.choices)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    topic = forms.CharField(label=_("主题"), max_length=50, required=False)
    is_key = forms.BooleanField(label=_("重点提案（建议）"), required=False)
    supervising_leader = forms.CharField(label=_("领衔督办领导"), max_length=50, required=False)

    def proposer_list(self):
        return proposers_from_names(
            self.cleaned_data["proposer_names"], self.cleaned_data["proposer_kind"]
        )

    def proposal_fields(self):
        data = self.cleaned_data
        keys = [
            "kind",
            "session",
            "number",
            "title",
            "body",
            "topic",
            "is_key",
            "supervising_leader",
        ]
        return {k: data[k] for k in keys}


class AssignForm(forms.Form):
    lead = forms.ModelChoiceField(Unit.objects.none(), label=_("主办单位"), required=False)
    co = forms.ModelMultipleChoiceField(Unit.objects.none(), label=_("会办单位"), required=False)
    separate = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label=_("分办单位"), required=False
    )

    def __init__(self, *args, jurisdiction=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(jurisdiction=jurisdiction, is_active=True)
        for name in ("lead", "co", "separate"):
            self.fields[name].queryset = units


class ReviewForm(forms.Form):
    VERBS = [
        ("start_review", _("提交审查")),
        ("file", _("立案")),
        ("reject", _("不予立案")),
        ("return", _("退回修改")),
        ("convert", _("转为意见建议")),
        ("merge", _("并案")),
    ]
    verb = forms.ChoiceField(choices=VERBS)
    reason = forms.CharField(
        label=_("理由或意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    merge_into = forms.CharField(label=_("并入案号"), required=False)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        coerce=lambda v: v == "yes", choices=[("yes", _("同意")), ("no", _("不同意"))]
    )
    comment = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), required=False)


class UrgeForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("承办单位"))
    proposal = forms.ModelChoiceField(
        Proposal.objects.all(), required=False, widget=forms.HiddenInput
    )
    message = forms.CharField(label=_("催办内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ItemImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel文件"),
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过10MB、20000行。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    jurisdiction = forms.ModelChoiceField(Jurisdiction.objects.none(), label=_("行政区"))

    def __init__(self, *args, jurisdiction_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        field.queryset = Jurisdiction.objects.filter(pk__in=jurisdiction_ids)
        if len(jurisdiction_ids) == 1:
            # One office, one jurisdiction: nothing to choose.
            field.required, field.widget = False, forms.HiddenInput()

    def clean_jurisdiction(self):
        chosen = self.cleaned_data.get("jurisdiction")
        return chosen or self.fields["jurisdiction"].queryset.first()


class NoticePreferenceForm(forms.Form):
    """通知设置: how notices reach a person besides the notification centre, per channel."""

    email = forms.ChoiceField(
        label=_("邮件通知"), choices=NoticeMode.choices, widget=forms.RadioSelect
    )
    sms = forms.ChoiceField(
        label=_("短信通知"), choices=NoticeMode.choices, widget=forms.RadioSelect
    )
