"""Admin actions run the same workflow verbs as the pages; a verb that needs input (a
reason, units) asks for it on an intermediate page first."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .audit import ActionRefused


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由或意见"), widget=forms.Textarea, required=True)


def verb_action(verb, description, form_class=None, call=None, name=None):
    """An admin action applying `verb` to each selected row, reporting each refusal."""
    call = call or (lambda obj, user, data: verb(obj, user, **data))

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        data = {}
        if form_class is not None:
            bound = request.POST if "apply" in request.POST else None
            if getattr(form_class, "takes_request", False):  # choices narrowed to the user's
                form = form_class(bound, request=request, admin_site=modeladmin.admin_site)
            else:
                form = form_class(bound)
            if not form.is_valid():
                context = {
                    **modeladmin.admin_site.each_context(request),
                    "title": description,
                    "queryset": queryset,
                    "form": form,
                    "action": request.POST.get("action"),
                    "opts": modeladmin.model._meta,
                }
                return render(request, "admin/banli_action.html", context)
            data = form.cleaned_data
        done = 0
        for obj in queryset:
            try:
                call(obj, request.user, data)
                done += 1
            except (ActionRefused, PermissionDenied) as exc:
                modeladmin.message_user(request, f"{obj}：{exc}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("已处理 %(n)d 项。") % {"n": done}, messages.SUCCESS)
        return None

    action.__name__ = name or verb.__name__
    return action


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the workflow: visible, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
