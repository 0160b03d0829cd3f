from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from responses.sitemaps import SITEMAPS

from . import account_views, views

# The admin is part of the product: it says whose it is, in the user's language.
admin.site.site_header = _("建议提案办理系统 · 管理后台")
admin.site.site_title = _("管理后台")
admin.site.index_title = _("本级参考数据与账号管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("status/", views.status, name="status"),
    path("status/probe", views.probe, name="status-probe"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/verify/", account_views.verify, name="two-factor-verify"),
    path("account/two-factor/", account_views.two_factor, name="two-factor"),
    path("account/password/", account_views.password_change, name="password-change"),
    path("account/password/done/", account_views.password_changed, name="password-changed"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("workflow.urls")),
    path("", include("responses.urls")),
    path("", include("reports.urls")),
    path("", include("search.urls")),
    path("", include("portal.urls")),
]

handler500 = "config.views.server_error"
