from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workflow.admin_actions import ReadOnlyAdmin, ReasonForm, verb_action
from workflow.admin_scope import JurisdictionScopedAdmin

from . import actions
from .models import DocumentCounter, Feedback, LetterTemplate, Opinion, ReferenceDocument, Reply

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


@admin.register(LetterTemplate)
class LetterTemplateAdmin(JurisdictionScopedAdmin):
    jurisdiction_path = "unit__jurisdiction"
    list_display = ("name", "unit", "kind", "class_label")
    list_filter = ("kind", "unit__jurisdiction")
    search_fields = ("name", "body", "unit__name")
