"""The admin of Banli's records, every page scoped by `admin_scope` (the items, proposers and
people of the lower app are registered here, where the office's jurisdictions are known)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from proposals.models import (
    CORRECTABLE_STATES,
    REVIEW_PERMISSION,
    Jurisdiction,
    Proposal,
    ProposalProposer,
    Proposer,
    Session,
    User,
    kind_refusal,
)
from proposals.untrusted import control_character_problem, control_characters

from . import actions, holidays, tasks
from .admin_accessible import NamedValuesFilter
from .admin_actions import ReadOnlyAdmin, ReasonForm, verb_action
from .admin_scope import JurisdictionScopedAdmin, ScopedForm, narrow, people_in_care
from .audit import ActionRefused
from .forms import proposers_from_names, validate_proposer_names
from .models import (
    Assignment,
    CalendarDay,
    CalendarYear,
    Contact,
    DeadlineRule,
    Extension,
    Heartbeat,
    ItemImport,
    Notification,
    OfficeMembership,
    ReminderDigest,
    ReminderRung,
    TransferRequest,
    TransitionLog,
    Unit,
    UnitMembership,
)
from .permissions import in_office
from .proposer_contacts import CONTACT_FIELDS, typed_mobile


class ProposalAdminForm(forms.ModelForm):
    """An item's number and title on one line, as every intake path takes them."""

    def clean(self):
        data = super().clean()
        for name in ("number", "title"):
            if name in self.fields and data.get(name) and control_characters(data[name]):
                self.add_error(name, control_character_problem())
        return data


class ProposalIntakeAdminForm(ProposalAdminForm):
    """登记: the office enters an item by hand; proposers are typed lead first."""

    proposer_names = forms.CharField(
        label=_("提出人"),
        help_text=_("按顺序填写，第一位为领衔人，用“、”或逗号分隔。"),
        validators=[validate_proposer_names],
    )
    proposer_kind = forms.ChoiceField(label=_("提出人类别"), choices=Proposer.Kind.choices)

    class Meta:
        model = Proposal
        fields = [
            "kind",
            "session",
            "number",
            "title",
            "body",
            "topic",
            "is_key",
            "supervising_leader",
        ]

    def clean(self):
        data = super().clean()
        refusal = kind_refusal(data.get("kind"), data.get("session"), data.get("proposer_kind"))
        if refusal:
            self.add_error(None, refusal)
        return data

    def proposers(self):
        return proposers_from_names(
            self.cleaned_data["proposer_names"], self.cleaned_data["proposer_kind"]
        )


class SignatoryInline(admin.TabularInline):
    model = ProposalProposer
    extra = 0
    readonly_fields = ("proposer", "position")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class UnitsForm(ScopedForm):
    lead = forms.ModelChoiceField(
        Unit.objects.filter(is_active=True), label=_("主办单位"), required=False
    )
    co = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True), label=_("会办单位"), required=False
    )
    separate = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True), label=_("分办单位"), required=False
    )


class MergeForm(ScopedForm):
    into = forms.ModelChoiceField(Proposal.objects.all(), label=_("并入"))


@admin.register(Proposal)
class ProposalAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "session__jurisdiction"
    form = ProposalAdminForm
    list_display = ("number", "title", "session", "kind", "state", "is_key", "received_at")
    list_filter = ("state", "kind", "session", "is_key", ("topic", NamedValuesFilter))
    search_fields = ("number", "title", "proposers__name")
    readonly_fields = ("state", "round", "review_reason", "merged_into", "channel")
    inlines = [SignatoryInline]
    actions = [
        verb_action(actions.start_review, _("提交审查")),
        verb_action(actions.file_proposal, _("立案（建议：登记）")),
        verb_action(
            actions.reject_proposal,
            _("不予立案"),
            ReasonForm,
            lambda obj, user, data: actions.reject_proposal(obj, user, data["reason"]),
        ),
        verb_action(
            actions.return_proposal,
            _("退回修改"),
            ReasonForm,
            lambda obj, user, data: actions.return_proposal(obj, user, data["reason"]),
        ),
        verb_action(
            actions.convert_proposal,
            _("转为意见建议"),
            ReasonForm,
            lambda obj, user, data: actions.convert_proposal(obj, user, data["reason"]),
        ),
        verb_action(actions.merge_proposal, _("并案"), MergeForm),
        verb_action(
            actions.assign_proposal,
            _("交办"),
            UnitsForm,
            lambda obj, user, data: actions.assign_proposal(
                obj, user, lead=data["lead"], co=data["co"], separate=data["separate"]
            ),
        ),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProposalIntakeAdminForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        # After 交办 the item is the record units work from: viewed here, never changed.
        if obj is not None and obj.state not in CORRECTABLE_STATES:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "session", "number", "kind")

    def save_model(self, request, obj, form, change):
        if change:
            # Through the verb, as on the pages: its checks, the search pieces and the log.
            fields = [f for f in actions.CORRECTABLE_FIELDS if f in form.changed_data]
            if fields:
                data = {f: form.cleaned_data[f] for f in fields}
                actions.correct_proposal(obj, request.user, **data)
            return
        data = {f: form.cleaned_data[f] for f in ProposalIntakeAdminForm.Meta.fields}
        created = actions.receive_proposal(request.user, proposers=form.proposers(), **data)
        obj.pk = created.pk
        obj._state.adding = False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # intake types the proposers


@admin.register(Unit)
class UnitAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "jurisdiction"
    list_display = ("name", "short_name", "organ_code", "jurisdiction", "is_active")
    list_filter = ("jurisdiction", "is_active")
    search_fields = ("name", "short_name", "organ_code")


@admin.register(UnitMembership)
class UnitMembershipAdmin(JurisdictionScopedAdmin):
    """The people of the office's units and their roles (the accounts: 用户)."""

    jurisdiction_path = "unit__jurisdiction"
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__jurisdiction")
    search_fields = ("user__username", "user__name", "unit__name")

    def get_readonly_fields(self, request, obj=None):
        # A membership's person and unit stay; only the role changes (through the verb).
        return ("user", "unit") if obj else ()

    def save_model(self, request, obj, form, change):
        obj.pk = actions.add_unit_member(obj.user, obj.unit, obj.role, actor=request.user).pk


@admin.register(OfficeMembership)
class OfficeMembershipAdmin(JurisdictionScopedAdmin):
    """Making someone the office gives them the admin: only the system administrator does."""

    jurisdiction_path = "jurisdiction"
    office_may = {"view"}
    list_display = ("user", "jurisdiction")
    list_filter = ("jurisdiction",)

    def get_readonly_fields(self, request, obj=None):
        return ("user", "jurisdiction") if obj else ()

    def save_model(self, request, obj, form, change):
        # The verb also gives the office's permissions (and the admin) to the person.
        obj.pk = actions.add_office_member(obj.user, obj.jurisdiction, actor=request.user).pk


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("审批意见"), widget=forms.Textarea, required=False)


@admin.register(Assignment)
class AssignmentAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "proposal__session__jurisdiction"
    list_display = ("proposal", "unit", "role", "state", "round", "assigned_at", "due_on")
    list_filter = ("state", "role", "unit__jurisdiction", "unit")
    search_fields = ("proposal__number", "proposal__title", "unit__name")
    date_hierarchy = "due_on"
    list_select_related = ("proposal__session__jurisdiction", "unit")


@admin.register(TransferRequest)
class TransferRequestAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "assignment__proposal__session__jurisdiction"
    list_display = ("assignment", "reason", "suggested_unit", "state", "requested_at")
    list_filter = ("state",)
    actions = [
        verb_action(
            actions.decide_transfer,
            _("同意调整"),
            DecisionForm,
            lambda obj, user, data: actions.decide_transfer(
                obj, user, approve=True, comment=data["comment"], new_unit=obj.suggested_unit
            ),
            name="approve_transfer",
        ),
        verb_action(
            actions.decide_transfer,
            _("不同意调整"),
            ReasonForm,
            lambda obj, user, data: actions.decide_transfer(
                obj, user, approve=False, comment=data["reason"]
            ),
            name="reject_transfer",
        ),
    ]


@admin.register(Extension)
class ExtensionAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "assignment__proposal__session__jurisdiction"
    list_display = ("assignment", "previous_due", "requested_due", "state", "requested_at")
    list_filter = ("state",)
    actions = [
        verb_action(
            actions.decide_extension,
            _("同意延期"),
            DecisionForm,
            lambda obj, user, data: actions.decide_extension(
                obj, user, approve=True, comment=data["comment"]
            ),
            name="approve_extension",
        ),
        verb_action(
            actions.decide_extension,
            _("不同意延期"),
            ReasonForm,
            lambda obj, user, data: actions.decide_extension(
                obj, user, approve=False, comment=data["reason"]
            ),
            name="reject_extension",
        ),
    ]


@admin.register(Contact)
class ContactAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "assignment__proposal__session__jurisdiction"
    list_display = ("assignment", "contacted_on", "method", "proposer", "recorded_by")
    list_filter = ("method",)


@admin.register(TransitionLog)
class TransitionLogAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "proposal__session__jurisdiction"
    list_display = ("at", "proposal", "content_type", "transition", "source", "target", "actor")
    list_filter = ("content_type", "transition")
    search_fields = ("proposal__number", "comment")
    date_hierarchy = "at"


@admin.register(ItemImport)
class ItemImportAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "jurisdiction"
    """Excel imports are made and confirmed on the office page; here they are only read."""

    list_display = ("name", "jurisdiction", "created_by", "created_at", "state", "saved")
    list_filter = ("state", "jurisdiction")
    exclude = ("report",)


@admin.register(Heartbeat)
class HeartbeatAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    list_display = ("kind", "requested_at", "done_at", "worker")
    list_filter = ("kind",)


class RecomputesDeadlines:
    """Saving a rule or a calendar day recomputes the open deadlines it affects."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reason = _("%(what)s已修改") % {"what": obj._meta.verbose_name}
        jurisdiction_id = getattr(obj, "jurisdiction_id", None)
        transaction.on_commit(
            lambda: tasks.recompute.delay(jurisdiction_id, str(reason)), robust=True
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(
            lambda: tasks.recompute.delay(None, str(_("节假日安排已修改"))), robust=True
        )


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(RecomputesDeadlines, JurisdictionScopedAdmin):
    jurisdiction_path = "jurisdiction"
    list_display = (
        "jurisdiction",
        "kind",
        "reply_months",
        "opinion_months",
        "accept_working_days",
        "transfer_working_days",
        "extension_ceiling_months",
        "feedback_working_days",
        "roll_to_working_day",
    )
    list_filter = ("jurisdiction", "kind")


@admin.register(CalendarDay)
class CalendarDayAdmin(RecomputesDeadlines, JurisdictionScopedAdmin):
    """Shared by every jurisdiction (jurisdiction_path None)."""

    list_display = ("day", "is_working", "name")
    list_filter = ("is_working",)
    date_hierarchy = "day"
    search_fields = ("name",)
    actions = ["load_official"]

    @admin.action(description=_("按官方安排重新载入所选日期所在年份"), permissions=["change"])
    def load_official(self, request, queryset):
        years = sorted({d.year for d in queryset.values_list("day", flat=True)})
        for year in years:
            try:
                holidays.load_year(year)
            except ValueError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        transaction.on_commit(
            lambda: tasks.recompute.delay(None, str(_("节假日安排已重新载入"))), robust=True
        )


@admin.register(CalendarYear)
class CalendarYearAdmin(JurisdictionScopedAdmin):
    list_display = ("year", "source", "loaded_at")


@admin.register(ReminderRung)
class ReminderRungAdmin(JurisdictionScopedAdmin):
    """The reminder ladder is shared by every jurisdiction (jurisdiction_path None)."""

    list_display = ("deadline_kind", "offset_days", "audience", "repeat_days", "is_active")
    list_filter = ("deadline_kind", "audience", "is_active")


@admin.register(ReminderDigest)
class ReminderDigestAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "jurisdiction"
    list_display = (
        "recipient",
        "audience",
        "unit",
        "jurisdiction",
        "items",
        "overdue",
        "created_at",
        "emailed_at",
        "texted_at",
    )
    list_filter = ("audience", "created_at")
    list_select_related = ("recipient", "unit", "jurisdiction")


@admin.register(Notification)
class NotificationAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    """Each person reads their own notices in the app; here only the system administrator."""

    superuser_only = True
    list_display = ("recipient", "title", "created_at", "read_at")
    list_filter = ("read_at",)


# ---- the lower app's records: jurisdictions, sessions, proposers, people ---------------------
@admin.register(Jurisdiction)
class JurisdictionAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "pk"
    office_may = {"view", "change"}  # its own settings; a new jurisdiction is the administrator's
    list_display = ("name", "level", "scheme", "contact_required")
    list_filter = ("level", "scheme")
    search_fields = ("name",)


@admin.register(Session)
class SessionAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "jurisdiction"
    list_display = (
        "__str__",
        "jurisdiction",
        "body",
        "year",
        "period",
        "filing_opens_on",
        "filing_closes_on",
        "recess_filing",
    )
    list_filter = ("jurisdiction", "body", "year", "period")
    search_fields = ("name",)


class ProposerAdminForm(forms.ModelForm):
    """The contacts as intake checks them (a mainland mobile, an email, a preferred channel
    with its contact)."""

    class Meta:
        model = Proposer
        fields = [
            "kind",
            "name",
            "affiliation",
            "phone",
            "email",
            "address",
            "preferred_channel",
            "jurisdiction",
        ]

    def clean(self):
        data = super().clean()
        typed = (data.get(f) or "" for f in ("phone", "email", "address", "preferred_channel"))
        for field, problem in actions.contact_problems(*typed).items():
            self.add_error(field, problem)
        if data.get("phone") and "phone" not in self.errors:
            data["phone"] = typed_mobile(data["phone"])  # stored as the forms store it
        return data


class KeepForm(forms.Form):
    keep = forms.ChoiceField(
        label=_("保留哪一条记录（另一条并入后删除）"), widget=forms.RadioSelect
    )


@admin.action(description=_("合并重复的提出人（选择两位）"))
def merge_duplicates(modeladmin, request, queryset):
    """The same verb as the office's duplicates page: two records of one person become one."""
    people = list(queryset.order_by("pk")[:3])
    if len(people) != 2:
        modeladmin.message_user(request, _("请选择恰好两位提出人进行合并。"), messages.ERROR)
        return None
    form = KeepForm(request.POST if "apply" in request.POST else None)
    form.fields["keep"].choices = [(str(p.pk), f"#{p.pk} {p.name} {p.affiliation}") for p in people]
    if not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("合并重复的提出人"),
            "queryset": people,
            "form": form,
            "action": request.POST.get("action"),
            "opts": modeladmin.model._meta,
        }
        return render(request, "admin/banli_action.html", context)
    keep = next(p for p in people if str(p.pk) == form.cleaned_data["keep"])
    duplicate = next(p for p in people if p is not keep)
    try:
        actions.merge_proposers(request.user, keep, duplicate)
    except (ActionRefused, PermissionDenied) as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    modeladmin.message_user(request, _("已合并为 #%(pk)d。") % {"pk": keep.pk}, messages.SUCCESS)
    return None


@admin.register(Proposer)
class ProposerAdmin(JurisdictionScopedAdmin):
    """Contact details are the office's and the handling units' only: an office sees the
    proposers of its own jurisdiction (intake creates them there)."""

    jurisdiction_path = "jurisdiction"
    office_may = {"view", "change"}
    form = ProposerAdminForm
    list_display = ("name", "kind", "affiliation", "phone", "email", "preferred_channel")
    list_filter = ("kind",)
    search_fields = ("name", "affiliation")
    actions = [merge_duplicates]
    private_fields = CONTACT_FIELDS
    # The proposer's own account is made and linked only by their sign-in (the invitation or
    # a code): linking one here could hand a clerk's account to whoever holds the mobile.
    readonly_fields = ("user",)

    def save_model(self, request, obj, form, change):
        """The contacts of a proposer of the user's office through the verb, as on the
        pages and the API: the same checks and an audit row naming the fields."""
        if not (change and in_office(request.user, obj.jurisdiction_id, REVIEW_PERMISSION)):
            super().save_model(request, obj, form, change)
            return
        obj.save(update_fields=[f for f in form.Meta.fields if f not in CONTACT_FIELDS])
        contacts = {f: form.cleaned_data.get(f) or "" for f in CONTACT_FIELDS}
        person = actions.update_proposer_contacts(request.user, obj, **contacts)
        for field in CONTACT_FIELDS:
            setattr(obj, field, getattr(person, field))


class UnitPersonForm(AdminUserCreationForm):
    """An office creates an ordinary account for one of its units, with its role there."""

    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("所在单位"))
    role = forms.ChoiceField(label=_("单位角色"), choices=UnitMembership.Role.choices)


@admin.register(User)
class UserAdmin(JurisdictionScopedAdmin, BaseUserAdmin):
    """The system administrator manages every account. An office manages only the people of
    its own units (`people_in_care`), never staff rights, groups or permissions."""

    jurisdiction_path = "unit_memberships__unit__jurisdiction"  # narrowed by office_rows
    office_may = {"view", "add", "change"}
    fieldsets = BaseUserAdmin.fieldsets + ((_("办理系统"), {"fields": ("name", "phone")}),)
    office_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("办理系统"), {"fields": ("name", "phone", "email", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    office_add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "unit", "role"),
            },
        ),
    )
    list_display = ("username", "name", "email", "is_staff", "is_active")
    search_fields = ("username", "name", "email")

    def office_rows(self, queryset, jurisdiction_ids):
        return people_in_care(queryset, jurisdiction_ids)

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ("is_active",)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.office_add_fieldsets if obj is None else self.office_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            units = narrow(self.admin_site, request, Unit.objects.filter(is_active=True))

            class Form(UnitPersonForm):
                def __init__(self, *args, **kw):
                    super().__init__(*args, **kw)
                    self.fields["unit"].queryset = units

            kwargs["form"] = Form
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and (obj.is_staff or obj.is_superuser):
            raise PermissionDenied(_("只有系统管理员可以授予管理权限。"))
        super().save_model(request, obj, form, change)
        if not change and "unit" in form.cleaned_data:
            actions.add_unit_member(
                obj, form.cleaned_data["unit"], form.cleaned_data["role"], actor=request.user
            )


@admin.register(LogEntry)
class LogEntryAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    """管理日志: every change made in the admin, who and when, each field's old and new value."""

    superuser_only = True
    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    @admin.display(description=_("变更内容"))
    def change(self, entry):
        return entry.get_change_message()
