from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from workflow.admin_actions import ReadOnlyAdmin, ReasonForm, verb_action
from workflow.admin_scope import JurisdictionScopedAdmin

from . import actions, letter_text, signing
from .models import (
    Commitment,
    CommitmentNote,
    Delivery,
    DocumentCounter,
    Feedback,
    LetterTemplate,
    Opinion,
    ReferenceDocument,
    Reply,
    SigningCertificate,
)

LETTER_ACTIONS = [
    verb_action(actions.sign_letter, _("签发")),
    verb_action(
        actions.return_letter,
        _("退回修改"),
        ReasonForm,
        lambda obj, user, data: actions.return_letter(obj, user, data["reason"]),
    ),
    verb_action(actions.send_letter, _("发出（分配发文字号）")),
    verb_action(actions.publish_letter, _("公开")),
    verb_action(
        actions.withdraw_publication,
        _("撤回公开"),
        ReasonForm,
        lambda obj, user, data: actions.withdraw_publication(obj, user, data["reason"]),
    ),
]


class LetterAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    """Drafts are their unit's and their office's: an office sees its own jurisdiction's
    letters only (the drafting unit works on them in the app, not here)."""

    jurisdiction_path = "assignment__proposal__session__jurisdiction"
    list_display = ("title", "doc_number", "state", "class_label", "disclosure", "sent_at")
    list_filter = ("state", "disclosure", "result_bucket", "assignment__unit")
    search_fields = ("title", "doc_number", "addressee", "body")
    list_select_related = ("assignment__unit",)
    actions = LETTER_ACTIONS


@admin.register(Reply)
class ReplyAdmin(LetterAdmin):
    pass


@admin.register(Opinion)
class OpinionAdmin(LetterAdmin):
    pass


@admin.register(Feedback)
class FeedbackAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "reply__assignment__proposal__session__jurisdiction"
    list_display = (
        "reply",
        "proposer",
        "handling_rating",
        "result_rating",
        "channel",
        "received_at",
    )
    list_filter = ("handling_rating", "result_rating", "channel")


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(JurisdictionScopedAdmin):
    """Policy documents any reply may cite: shared by every jurisdiction."""

    list_display = ("title", "doc_number", "issuer", "issued_on")
    search_fields = ("title", "doc_number")


@admin.register(DocumentCounter)
class DocumentCounterAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    jurisdiction_path = "unit__jurisdiction"
    list_display = ("unit", "series", "year", "last_number")
    list_filter = ("year", "series")


def placeholder_help():
    """The placeholders a template may use and what each stands for, under the body field."""
    return format_html(
        "{}<br>{}",
        _("可用占位符（套用时替换为本函的内容；其他【】内的文字不能保存）："),
        format_html_join(
            mark_safe("<br>"),
            "【{}】{}",
            ((name, meaning) for name, (meaning, _value) in letter_text.PLACEHOLDERS.items()),
        ),
    )


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["unit", "role", "kind", "class_label", "name", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()


@admin.register(LetterTemplate)
class LetterTemplateAdmin(JurisdictionScopedAdmin):
    form = LetterTemplateForm
    jurisdiction_path = "unit__jurisdiction"
    list_display = ("name", "unit", "role", "kind", "class_label")
    list_filter = ("role", "kind", "unit__jurisdiction")
    search_fields = ("name", "body", "unit__name")


class ImportCertificateForm(forms.ModelForm):
    """An organ's own certificate and key, as a PKCS#12 file (.p12/.pfx) and its password."""

    pkcs12 = forms.FileField(label=_("PKCS#12文件（.p12/.pfx）"))
    password = forms.CharField(
        label=_("PKCS#12密码"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = SigningCertificate
        fields = ["unit"]

    def clean(self):
        data = super().clean()
        unit, upload = data.get("unit"), data.get("pkcs12")
        if unit is None:
            raise forms.ValidationError(_("请选择承办单位。"))
        if upload is not None:
            if upload.size > 1024 * 1024:
                raise forms.ValidationError(_("PKCS#12文件不应超过1 MB。"))
            try:
                self.imported = signing.import_pkcs12(unit, upload.read(), data.get("password"))
            except signing.BadImport as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    """The units' signing certificates: the system administrator's alone. Banli issues them
    (manage.py issue_signing_keys, or on a unit's first letter); an organ's own one is
    imported here. The private key is never shown: it is not a field of any form or list."""

    list_display = (
        "unit",
        "kind",
        "subject",
        "fingerprint",
        "created_at",
        "not_after",
        "retired_at",
    )
    list_filter = ("kind",)
    search_fields = ("unit__name", "subject", "fingerprint")
    readonly_fields = (
        "unit",
        "kind",
        "subject",
        "fingerprint",
        "certificate",
        "chain",
        "created_at",
        "not_after",
        "retired_at",
    )
    fields = readonly_fields

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("unit")
        return rows if self._superuser(request) else rows.none()

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportCertificateForm
            kwargs["fields"] = ["unit", "pkcs12", "password"]
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["unit", "pkcs12", "password"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.pk = form.imported.pk  # import_pkcs12 stored it (and retired the unit's earlier one)

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(Delivery)
class DeliveryAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    """送达 records are written by the worker and the delivery verbs, never here."""

    jurisdiction_path = "reply__assignment__proposal__session__jurisdiction"
    list_display = ("reply", "proposer", "channel", "state", "attempts", "reached_at", "last_error")
    list_filter = ("channel", "state")
    list_select_related = ("reply", "proposer")
    search_fields = ("proposer__name", "reply__doc_number", "tracking_number")


class CommitmentNoteInline(admin.TabularInline):
    """进展 as the unit wrote them: read here, written on the item page (note_progress)."""

    model = CommitmentNote
    extra = 0
    fields = ("created_at", "author", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


COMMITMENT_ACTIONS = [
    verb_action(
        actions.decide_drop,
        _("同意撤销"),
        call=lambda obj, user, data: actions.decide_drop(obj, user, approve=True),
        name="approve_drop",
    ),
    verb_action(
        actions.decide_drop,
        _("不同意撤销"),
        ReasonForm,  # 不同意撤销 needs the office's reason
        lambda obj, user, data: actions.decide_drop(
            obj, user, approve=False, comment=data["reason"]
        ),
        name="refuse_drop",
    ),
]


@admin.register(Commitment)
class CommitmentAdmin(JurisdictionScopedAdmin, ReadOnlyAdmin):
    """承诺事项 are made in the letter editor and tracked on the item page, each step a verb;
    here the office reads them (its own jurisdiction's) and decides drops."""

    jurisdiction_path = "reply__assignment__proposal__session__jurisdiction"
    list_display = ("what", "unit", "state", "due_kind", "due_on", "delivered_on", "reply")
    list_filter = ("state", "due_kind", "unit")
    list_select_related = ("unit", "reply")
    search_fields = ("what", "source_text", "reply__doc_number", "unit__name")
    inlines = [CommitmentNoteInline]
    actions = COMMITMENT_ACTIONS
