from django.urls import include, path

from . import commitment_pages, lookback_views, views

# Under letters/reply/<pk>/commitments/: the reply's commitments as the editor finds them.
REPLY_COMMITMENTS = [
    path("suggest", commitment_pages.suggest, name="commitments-suggest"),
    path("add", commitment_pages.add, name="commitment-add"),
    path("<int:commitment_pk>/report", commitment_pages.report, name="commitment-report"),
]

# Under commitments/<pk>/: the steps of one commitment.
COMMITMENT_STEPS = [
    path("confirm", commitment_pages.confirm, name="commitment-confirm"),
    path("reject", commitment_pages.reject, name="commitment-reject"),
    path("progress", commitment_pages.note_progress, name="commitment-progress"),
    path("drop", commitment_pages.request_drop, name="commitment-drop"),
    path("decide", commitment_pages.decide_drop, name="commitment-decide"),
]

urlpatterns = [
    path("items/<int:pk>/", views.item, name="item"),
    path(
        "items/<int:pk>/proposers/<int:proposer_pk>/contacts",
        views.proposer_contacts,
        name="item-proposer-contacts",
    ),
    path("work/assignments/<int:assignment_pk>/letter", views.start_letter, name="letter-start"),
    path("letters/<str:kind>/<int:pk>/", views.letter, name="letter"),
    path("letters/<str:kind>/<int:pk>/preview", views.letter_preview, name="letter-preview"),
    path("letters/<str:kind>/<int:pk>/submit", views.submit, name="letter-submit"),
    path("letters/<str:kind>/<int:pk>/attach", views.attach, name="letter-attach"),
    path("letters/<str:kind>/<int:pk>/template", views.use_template, name="letter-template"),
    path("letters/<str:kind>/<int:pk>/sign", views.sign, name="letter-sign"),
    path("letters/<str:kind>/<int:pk>/return", views.return_letter, name="letter-return"),
    path("letters/<str:kind>/<int:pk>/send", views.send, name="letter-send"),
    path("letters/<str:kind>/<int:pk>/publish", views.publish, name="letter-publish"),
    path("letters/<str:kind>/<int:pk>/withdraw", views.withdraw, name="letter-withdraw"),
    path("letters/<str:kind>/<int:pk>/file.<str:fmt>", views.download, name="letter-download"),
    path("public/replies/<int:pk>.pdf", views.public_pdf, name="public-pdf"),
    path("attachments/<int:pk>", views.attachment, name="attachment"),
    # 承诺事项: the editor's panel, the item page's steps
    path("letters/reply/<int:pk>/commitments", commitment_pages.panel, name="commitments"),
    path("letters/reply/<int:pk>/commitments/", include(REPLY_COMMITMENTS)),
    path("commitments/<int:pk>/", include(COMMITMENT_STEPS)),
    path(
        "work/assignments/<int:assignment_pk>/follow-up",
        commitment_pages.start_follow_up,
        name="follow-up-start",
    ),
    path("replies/<int:pk>/solved", commitment_pages.mark_solved, name="reply-solved"),
    path("review/", views.leader_queue, name="leader-queue"),
    path("office/publication/", views.publication, name="publication"),
    path("office/publication/export.xlsx", views.publication_export, name="publication-export"),
    path("office/import/", views.import_letters, name="office-import"),
    path("office/import/<int:pk>/", views.letter_import, name="office-letter-import"),
    path("office/import/<int:pk>/save", views.letter_import_save, name="office-letter-import-save"),
    path("office/replies/<int:pk>/feedback", views.paper_feedback, name="paper-feedback"),
    path("office/undelivered/", views.undelivered, name="office-undelivered"),
    path("office/look-back/", lookback_views.look_back, name="office-look-back"),
    path(
        "office/look-back/yearly/",
        lookback_views.look_back_yearly,
        name="office-look-back-yearly",
    ),
    path(
        "office/look-back/replies/<int:pk>/record",
        lookback_views.record_look_back,
        name="office-look-back-record",
    ),
    path(
        "reminders/commitments/<int:pk>/",
        lookback_views.commitment_digest,
        name="commitment-digest",
    ),
    path("deliveries/<int:pk>/resend", views.resend_delivery, name="delivery-resend"),
    path(
        "replies/<int:pk>/proposers/<int:proposer_pk>/send",
        views.send_by,
        name="delivery-send-by",
    ),
    path(
        "replies/<int:pk>/proposers/<int:proposer_pk>/paper",
        views.record_paper_delivery,
        name="delivery-paper",
    ),
    path("public/", views.public_list, name="public-list"),
    path("public/replies/<int:pk>/", views.public_reply, name="public-reply"),
    path("verify/", views.verify, name="verify"),
    path("feedback/<str:token>/", views.proposer_feedback, name="proposer-feedback"),
]
