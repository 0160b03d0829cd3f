from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Jurisdiction, Proposer, Session, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("办理系统"), {"fields": ("name", "phone")}),)
    list_display = ("username", "name", "email", "is_staff", "is_active")
    search_fields = ("username", "name", "email")


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "scheme", "contact_required")
    list_filter = ("level", "scheme")
    search_fields = ("name",)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "jurisdiction", "body", "year", "period")
    list_filter = ("jurisdiction", "body", "year", "period")
    search_fields = ("name",)


@admin.register(Proposer)
class ProposerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "affiliation")
    list_filter = ("kind",)
    search_fields = ("name", "affiliation")
