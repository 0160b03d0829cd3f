import re

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Jurisdiction, Proposal, Proposer, Session, kind_refusal
from proposals.untrusted import validate_one_line

from .aging import AGING_BANDS
from .models import Assignment, AssignmentState, Contact, NoticeMode, Unit
from .proposer_contacts import (
    CONTACT_FIELDS,
    MAX_PROPOSERS,
    ProposerEntry,
    contact_problems,
    too_many_proposers,
)
from .selectors import namesakes

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
        choices=[("open", _("未办结")), ("all", _("全部状态"))] + AssignmentState.choices,
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
    """A request with its reason. The item page shows 申请调整 and 申请延期 together, so each
    form's ids carry its own prefix (`id_prefix`): two fields never share an id."""

    id_prefix = "id"
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class TransferForm(ReasonForm):
    """申请调整: the units offered as the better handler are the item's jurisdiction's own."""

    id_prefix = "transfer"
    suggested_unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("建议改由"), required=False
    )

    def __init__(self, *args, jurisdiction_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].queryset = Unit.objects.filter(
            is_active=True, jurisdiction_id=jurisdiction_id
        )


class ExtensionForm(ReasonForm):
    id_prefix = "extension"
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
            # the lead proposer first, as the item lists them (one join: the filter's)
            self.fields["proposer"].queryset = Proposer.objects.filter(
                signatures__proposal=proposal
            ).order_by("signatures__position")


def split_names(text):
    for separator in (",", "，", ";", "；"):
        text = text.replace(separator, "、")
    return [name.strip() for name in text.split("、") if name.strip()]


def validate_proposer_names(text):
    """At least one name and at most MAX_PROPOSERS, each short enough to be a name (the
    column holds 100) and on one line."""
    names = split_names(text)
    limit = Proposer._meta.get_field("name").max_length
    if not names:
        raise forms.ValidationError(_("请填写提出人，第一位为领衔人。"))
    if len(names) > MAX_PROPOSERS:
        raise forms.ValidationError(too_many_proposers())
    if any(len(name) > limit for name in names):
        raise forms.ValidationError(_("提出人姓名或名称不能超过%(n)d个字。") % {"n": limit})
    validate_one_line(text)
    return text


def proposers_from_names(text, kind):
    """“章毅、张远波，朱军红” → (name, kind) in that order (the lead first). Nothing is looked
    up or written here: receive_proposal finds or adds them in the session's jurisdiction
    once it knows the actor may register there."""
    return [(name, kind) for name in split_names(text)]


MAX_PROPOSER_ROWS = MAX_PROPOSERS
BLANK_ROWS = 3
ROW_NAME = re.compile(r"p(\d{1,6})-name")


class ProposerContactsForm(forms.Form):
    """A proposer's contacts as typed (the intake page's rows, the item page's 提出人 card):
    each problem of `contact_problems` beside its field."""

    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False)
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    address = forms.CharField(
        label=_("通信地址"),
        max_length=Proposer._meta.get_field("address").max_length,
        required=False,
    )
    preferred_channel = forms.ChoiceField(
        label=_("首选送达方式"),
        choices=[("", _("未选择"))] + Proposer.Channel.choices,
        required=False,
    )

    @classmethod
    def of(cls, person, data=None):
        """The item page's form for one proposer, filled with what is on record."""
        initial = {f: getattr(person, f) for f in CONTACT_FIELDS}
        return cls(data, initial=initial, prefix=f"c{person.pk}")

    def clean(self):
        data = super().clean()
        for field, problem in contact_problems(
            *(data.get(f, "") for f in ("phone", "email", "address", "preferred_channel"))
        ).items():
            if field not in self.errors:
                self.add_error(field, problem)
        return data


class ProposerRowForm(ProposerContactsForm):
    """One proposer as the office types it, with the contacts a reply will reach them by.
    When namesakes are on record, `identity` is the office's answer: an existing proposer's
    id (the same person) or "new" (another person)."""

    name = forms.CharField(
        label=_("姓名/名称"),
        max_length=Proposer._meta.get_field("name").max_length,
        required=False,
        validators=[validate_one_line],
    )
    affiliation = forms.CharField(
        label=_("代表团/界别/单位"),
        max_length=Proposer._meta.get_field("affiliation").max_length,
        required=False,
    )
    identity = forms.CharField(required=False, widget=forms.HiddenInput)
    update_contacts = forms.BooleanField(
        label=_("用本次填写的联系方式更新已登记的记录"), required=False
    )
    field_order = ["name", "affiliation", "phone", "email", "address", "preferred_channel"]
    candidates = ()  # the namesakes on record, set by IntakeForm.clean

    def clean(self):
        data = super().clean()
        if not data.get("name") and any(data.get(f) for f in ("phone", "email", "address")):
            self.add_error("name", _("填写了联系方式，请同时填写姓名。"))
        return data

    def entry(self, kind):
        data = self.cleaned_data
        identity = data.get("identity", "")
        return ProposerEntry(
            name=data["name"].strip(),
            kind=kind,
            affiliation=data["affiliation"].strip(),
            phone=data["phone"].strip(),
            email=data["email"].strip(),
            address=data["address"].strip(),
            preferred_channel=data["preferred_channel"],
            same_as=int(identity) if identity.isdigit() else None,
            new_person=identity == "new",
            update_contacts=data["update_contacts"],
        )


def rows_posted(data):
    """How many proposer rows the page posted (the highest row numbered), or how many
    names the old one-line field gave: more than MAX_PROPOSER_ROWS is refused, never cut."""
    numbered = [int(m[1]) for key in data if (m := ROW_NAME.fullmatch(key))]
    if numbered:
        return max(numbered) + 1
    return len(split_names(data.get("proposer_names", "")))


def posted_rows(data):
    """How many proposer rows the page shows: those posted, plus one more when the office
    asked for another row (at most MAX_PROPOSER_ROWS); three blank rows to start."""
    if not data:
        return BLANK_ROWS
    posted = rows_posted(data)
    return min(MAX_PROPOSER_ROWS, max(posted, 1) + (1 if "add_row" in data else 0))


def rows_from_names(data):
    """The one-line field of older clients (“章毅、张远波”) as the page's rows."""
    if not data or any(ROW_NAME.fullmatch(key) for key in data):
        return data
    data = data.copy()
    for i, name in enumerate(split_names(data.get("proposer_names", ""))[:MAX_PROPOSER_ROWS]):
        data[f"p{i}-name"] = name
    return data


class IntakeForm(SessionsInScope, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Proposal.Kind.choices)
    session = forms.ModelChoiceField(Session.objects.all(), label=_("届次会议"))
    number = forms.CharField(label=_("案号"), max_length=20, validators=[validate_one_line])
    title = forms.CharField(label=_("案由"), max_length=300, validators=[validate_one_line])
    proposer_names = forms.CharField(required=False, widget=forms.HiddenInput)
    proposer_kind = forms.ChoiceField(label=_("提出人类别"), choices=Proposer.Kind.choices)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    topic = forms.CharField(label=_("主题"), max_length=50, required=False)
    is_key = forms.BooleanField(label=_("重点提案（建议）"), required=False)
    supervising_leader = forms.CharField(label=_("领衔督办领导"), max_length=50, required=False)

    def __init__(self, data=None, **kwargs):
        self.too_many = bool(data) and rows_posted(data) > MAX_PROPOSER_ROWS
        data = rows_from_names(data)
        super().__init__(data, **kwargs)
        self.rows = [ProposerRowForm(data, prefix=f"p{i}") for i in range(posted_rows(data))]
        if self.is_bound and "add_row" in self.data:
            self.add_error(None, _("已增加一行，请填写后再登记。"))

    def item_fields(self):
        return [self[name] for name in ("kind", "session", "number", "title", "proposer_kind")]

    def other_fields(self):
        return [self[name] for name in ("body", "topic", "is_key", "supervising_leader")]

    def is_valid(self):
        checked = [row.is_valid() for row in self.rows]  # every row, so each shows its errors
        rows_valid = all(checked)
        return super().is_valid() and rows_valid

    def clean(self):
        data = super().clean()
        if self.too_many:
            raise forms.ValidationError(too_many_proposers())
        named = [row for row in self.rows if row.is_valid() and row.cleaned_data["name"]]
        if not named:
            raise forms.ValidationError(_("请填写提出人，第一位为领衔人。"))
        refusal = kind_refusal(data.get("kind"), data.get("session"), data.get("proposer_kind"))
        if refusal:
            raise forms.ValidationError(refusal)
        if data.get("session") and data.get("proposer_kind"):
            self._confirm_identities(named, data["session"].jurisdiction, data["proposer_kind"])
        return data

    def _confirm_identities(self, named, jurisdiction, kind):
        """Each row whose name is on record shows the namesakes; a row with no answer yet
        (the same person, or a new one) holds the form back: no duplicate made unasked."""
        found = namesakes(jurisdiction, [(row.cleaned_data["name"], kind) for row in named])
        unanswered = False
        for row in named:
            row.candidates = found.get((row.cleaned_data["name"], kind), [])
            answer = row.cleaned_data["identity"]
            known = answer == "new" or answer in {str(p.pk) for p in row.candidates}
            if row.candidates and not known:
                row.add_error(None, _("本地区已有同名提出人，请确认是否为同一人。"))
                unanswered = True
        if unanswered:
            self.add_error(None, _("有提出人需确认身份：请在下方选择“同一人”或“新的提出人”。"))

    def proposer_list(self):
        kind = self.cleaned_data["proposer_kind"]
        return [row.entry(kind) for row in self.rows if row.cleaned_data["name"]]

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
    co = forms.ModelMultipleChoiceField(
        Unit.objects.none(),
        label=_("会办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    separate = forms.ModelMultipleChoiceField(
        Unit.objects.none(),
        label=_("分办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, jurisdiction=None, current=None, **kwargs):
        """`current`: the item's current assignments, when the page offers to add units; only
        the roles the assign verb still accepts are offered, and only units not yet on it."""
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(jurisdiction=jurisdiction, is_active=True)
        if current:
            units = units.exclude(pk__in=[a.unit_id for a in current])
            addable = Assignment.addable_roles(a.role for a in current)
            for name in ("lead", "co", "separate"):
                if name not in addable:
                    del self.fields[name]
        for field in self.fields.values():
            field.queryset = units


class ReviewForm(forms.Form):
    VERBS = [
        ("start_review", _("提交审查")),
        ("file", _("立案")),
        ("reject", _("不予立案")),
        ("return", _("退回修改")),
        ("convert", _("转为意见建议")),
        ("merge", _("并案")),
    ]
    TRANSITIONS = {"return": "return_for_revision"}  # each choice's transition, if named apart
    # The typed fields each result reads (the review view); the others ignore them.
    USED_BY = {"reason": {"reject", "return", "convert", "merge"}, "merge_into": {"merge"}}
    verb = forms.ChoiceField(choices=VERBS)
    reason = forms.CharField(
        label=_("理由或意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    merge_into = forms.CharField(label=_("并入案号"), required=False)

    def __init__(self, *args, transitions=None, **kwargs):
        """`transitions`: those the machine accepts now (selectors.review_choices), in its
        order; only their results are offered, the first chosen."""
        super().__init__(*args, **kwargs)
        if transitions is not None:
            labels = {
                self.TRANSITIONS.get(value, value): (value, label) for value, label in self.VERBS
            }
            self.fields["verb"].choices = [labels[name] for name in transitions if name in labels]
            offered = {value for value, _label in self.fields["verb"].choices}
            for name, users in self.USED_BY.items():
                if not offered & users:
                    del self.fields[name]


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
