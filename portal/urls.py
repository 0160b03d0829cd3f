from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("me/", views.home, name="portal-home"),
    path("me/sign-in/", views.sign_in, name="portal-signin"),
    path("me/sign-out/", views.sign_out, name="portal-signout"),
    path("me/welcome/<str:token>/", views.welcome, name="portal-welcome"),
    path("me/items/<int:pk>/", views.item, name="portal-item"),
    path("me/replies/<int:pk>/", views.reply, name="portal-reply"),
    path("me/replies/<int:pk>.pdf", views.reply_pdf, name="portal-reply-pdf"),
    path("me/settings/", settings_views.settings_page, name="portal-settings"),
    path("me/settings/notices", settings_views.notice_way, name="portal-notice-way"),
    path("me/settings/api-token", settings_views.api_token, name="portal-api-token"),
    # Filing online (drafts, co-signers' confirmations) joins here, under /me/drafts/, with
    # views decorated @proposer_required that call the filing verbs of the lower apps.
    path("office/proposers/<int:pk>/invite", views.invite, name="portal-invite"),
    path("office/proposers/<int:pk>/contact-people", views.add_contact, name="portal-add-contact"),
]
