from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.inbox, name="inbox"),
    path("work/export.xlsx", views.inbox_export, name="inbox-export"),
    path("work/assignments/<int:pk>/accept", views.accept, name="assignment-accept"),
    path("work/assignments/<int:pk>/transfer", views.request_transfer, name="assignment-transfer"),
    path("work/assignments/<int:pk>/contact", views.record_contact, name="assignment-contact"),
    path(
        "work/assignments/<int:pk>/extension", views.request_extension, name="assignment-extension"
    ),
    path("office/proposals/", views.office_proposals, name="office-proposals"),
    path(
        "office/proposals/export.xlsx",
        views.office_proposals_export,
        name="office-proposals-export",
    ),
    path("office/proposals/new", views.intake, name="office-intake"),
    path(
        "office/filing/attachments/<int:pk>",
        views.office_draft_attachment,
        name="office-draft-attachment",
    ),
    path("office/proposals/import/", views.item_imports, name="office-item-imports"),
    path(
        "office/proposals/import/template.xlsx",
        views.item_import_template,
        name="office-item-import-template",
    ),
    path("office/proposals/import/<int:pk>/", views.item_import_detail, name="office-item-import"),
    path(
        "office/proposals/import/<int:pk>/confirm",
        views.item_import_confirm,
        name="office-item-import-confirm",
    ),
    path(
        "office/proposals/import/<int:pk>/errors.xlsx",
        views.item_import_errors,
        name="office-item-import-errors",
    ),
    path(
        "office/proposers/duplicates/",
        views.proposer_duplicates,
        name="office-proposer-duplicates",
    ),
    path("office/proposers/merge", views.merge_proposers, name="office-proposer-merge"),
    path("office/proposals/<int:pk>/review", views.review, name="office-review"),
    path("office/proposals/<int:pk>/assign", views.assign, name="office-assign"),
    path("office/requests/", views.office_requests, name="office-requests"),
    path(
        "office/requests/export.xlsx", views.office_requests_export, name="office-requests-export"
    ),
    path("office/transfers/<int:pk>/decide", views.decide_transfer, name="office-decide-transfer"),
    path(
        "office/extensions/<int:pk>/decide", views.decide_extension, name="office-decide-extension"
    ),
    path("office/urge", views.urge, name="office-urge"),
    path("office/monitor/", views.monitor, name="office-monitor"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read", views.mark_read, name="notification-read"),
    path("notifications/read", views.mark_read, name="notifications-read"),
    path("notifications/settings/", views.notice_settings, name="notice-settings"),
    path("reminders/<int:pk>/", views.reminder_digest, name="reminder-digest"),
    path("office/monitor/export.xlsx", views.monitor_export, name="office-monitor-export"),
]
