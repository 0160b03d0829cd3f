from django.urls import path

from . import filing, settings_views, views

urlpatterns = [
    path("me/", views.home, name="portal-home"),
    path("me/sign-in/", views.sign_in, name="portal-signin"),
    path("me/sign-out/", views.sign_out, name="portal-signout"),
    path("me/welcome/<str:token>/", views.welcome, name="portal-welcome"),
    path("me/notices/", views.notices, name="portal-notices"),
    path("me/notices/<int:pk>/", views.notice, name="portal-notice"),
    path("me/notices/read", views.notices_read, name="portal-notices-read"),
    path("me/items/<int:pk>/", views.item, name="portal-item"),
    path("me/replies/<int:pk>/", views.reply, name="portal-reply"),
    path("me/replies/<int:pk>.pdf", views.reply_pdf, name="portal-reply-pdf"),
    path("me/settings/", settings_views.settings_page, name="portal-settings"),
    path("me/settings/notices", settings_views.notice_way, name="portal-notice-way"),
    path("me/settings/api-token", settings_views.api_token, name="portal-api-token"),
    # Filing online: drafts, co-signers' confirmations (portal/filing.py).
    path("me/drafts/", filing.drafts, name="portal-drafts"),
    path("me/drafts/new/", filing.new_draft, name="portal-new-draft"),
    path("me/drafts/similar/", filing.similar, name="portal-similar"),
    path("me/drafts/<int:pk>/", filing.draft, name="portal-draft"),
    path("me/drafts/<int:pk>/attachments", filing.attach, name="portal-draft-attach"),
    path(
        "me/drafts/<int:pk>/attachments/<int:attachment_pk>",
        filing.attachment,
        name="portal-draft-attachment",
    ),
    path("me/drafts/<int:pk>/cosigners/", filing.cosigners, name="portal-draft-cosigners"),
    path("me/drafts/<int:pk>/submit", filing.submit, name="portal-draft-submit"),
    path("me/drafts/<int:pk>/resubmit", filing.resubmit, name="portal-draft-resubmit"),
    path("me/drafts/<int:pk>/withdraw", filing.withdraw, name="portal-draft-withdraw"),
    path("me/drafts/<int:pk>/answer", filing.answer, name="portal-draft-answer"),
    path("office/proposers/", views.proposers, name="portal-proposers"),
    path("office/proposers/<int:pk>/invite", views.invite, name="portal-invite"),
    path("office/proposers/<int:pk>/contact-people", views.add_contact, name="portal-add-contact"),
]
