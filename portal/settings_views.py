"""设置 (/me/settings/): a proposer's 通知方式 (how they hear of their items' steps) and their
token for the proposers' API (/api/me/, for a deputy platform's scripts). Each change is a
verb that audits (workflow's choose_proposer_notice_way, or for a group's named contact their
own way, portal's choose_contact_notice_way; responses' rotate_api_token)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from responses.actions import rotate_api_token
from responses.actions.api_tokens import token_expires_at
from workflow.actions import choose_proposer_notice_way
from workflow.views import refusals_to_messages

from . import actions, selectors
from .forms import NoticeWayForm
from .views import proposer_required


@never_cache
@proposer_required
def settings_page(request):
    contact = selectors.contact_of(request.user)  # a named contact chooses their own way
    way = selectors.notice_way_of(request.proposer, contact)
    form = NoticeWayForm(contact or request.proposer, initial={"way": way})
    token = Token.objects.filter(user=request.user).first()
    expires = token and token_expires_at(token)
    return render(
        request,
        "portal/settings.html",
        {
            "form": form,
            "contact": contact,
            "token": token,
            "expires": expires,
            "expired": bool(expires and expires <= timezone.now()),
        },
    )


@require_POST
@proposer_required
@refusals_to_messages
def notice_way(request):
    contact = selectors.contact_of(request.user)
    form = NoticeWayForm(contact or request.proposer, request.POST)
    if form.is_valid():
        if contact is not None:
            actions.choose_contact_notice_way(contact, request.user, form.cleaned_data["way"])
        else:
            choose_proposer_notice_way(request.proposer, request.user, form.cleaned_data["way"])
        messages.success(request, _("通知方式已保存。"))
    return redirect("portal-settings")


@require_POST
@proposer_required
def api_token(request):
    rotate_api_token(request.user)
    messages.success(request, _("已生成新令牌，旧令牌已失效。"))
    return redirect("portal-settings")
