from django.urls import path

from . import views

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
    path("review/", views.leader_queue, name="leader-queue"),
    path("office/publication/", views.publication, name="publication"),
    path("office/publication/export.xlsx", views.publication_export, name="publication-export"),
    path("office/import/", views.import_letters, name="office-import"),
    path("office/import/<int:pk>/", views.letter_import, name="office-letter-import"),
    path("office/import/<int:pk>/save", views.letter_import_save, name="office-letter-import-save"),
    path("office/replies/<int:pk>/feedback", views.paper_feedback, name="paper-feedback"),
    path("office/undelivered/", views.undelivered, name="office-undelivered"),
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
