"""The proposers' pages (我的提案/建议, under /me/), phone first, and the office's buttons that
invite a proposer. A proposer's session reaches only these pages (middleware.py); a staff
account reaches none of them (proposer_required)."""

from functools import wraps

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proposals.models import Proposer
from responses import actions as responses_actions
from responses.forms import RatingForm
from responses.views import letter_download
from workflow.audit import ActionRefused
from workflow.models import Notification
from workflow.proposer_contacts import masked
from workflow.redirects import back_to
from workflow.views import office_required, page_of, refusals_to_messages, render_partial

from . import actions, selectors, signin
from .forms import (
    CodeForm,
    ContactPersonForm,
    InviteForm,
    MobileForm,
    PasswordSignInForm,
    WelcomeForm,
)
from .models import ContactPerson


def proposer_required(view):
    """The signed-in proposer, as `request.proposer`; anyone else is sent to sign in (a staff
    account is refused: staff never act as a proposer)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not signin.is_proposer_session(request):
            if request.user.is_authenticated:
                raise PermissionDenied(_("工作人员账号不能使用提出人页面。"))
            return redirect("portal-signin")
        request.proposer = selectors.proposer_of(request.user)
        if request.proposer is None or request.roles.is_office or request.roles.is_unit_member:
            raise PermissionDenied(_("工作人员账号不能使用提出人页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def _back(request):
    return redirect(back_to(request, request.POST.get("next"), default=reverse("home")))


# ---- signing in ---------------------------------------------------------------------------
@never_cache
def sign_in(request):
    """登录: the mobile, then the code sent to it; or the mobile and a password. A mobile
    registered for several identities then chooses which to act as."""
    if signin.is_proposer_session(request):
        return redirect("portal-home")
    step = request.POST.get("step", "") if request.method == "POST" else ""
    handlers = {
        "send": _send_code,
        "code": _check_code,
        "password": _check_password,
        "choose": _choose,
    }
    handler = handlers.get(step)
    context = handler(request) if handler else {"mobile_form": MobileForm()}
    if not isinstance(context, dict):
        return context
    return render(request, "portal/sign_in.html", context)


def _send_code(request):
    form = MobileForm(request.POST)
    if not form.is_valid():
        return {"mobile_form": form}
    mobile = selectors.clean_mobile(form.cleaned_data["mobile"])
    try:
        actions.send_sign_in_code(mobile, get_client_ip_address(request))
    except actions.MobileMustWait as wait:  # a code went out moments ago: type that one
        return {"code_form": CodeForm(initial={"mobile": mobile}), "wait": wait.message}
    except ActionRefused as exc:
        form.add_error("mobile", exc.message)
        return {"mobile_form": form}
    form = CodeForm(initial={"mobile": mobile})
    return {"code_form": form, "sent": True, "sent_to": masked(mobile)}  # a typo shows


def _check_code(request):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return {"code_form": form}
    mobile = selectors.clean_mobile(form.cleaned_data["mobile"])
    if signin.locked(request, mobile):
        return redirect("portal-signin")
    result = actions.sign_in_with_code(mobile, form.cleaned_data["code"])
    if result.choices:
        return _offer(request, mobile, result.choices, "sign_in_by_code")
    if result.user is None:
        if signin.failed(request, mobile):
            return redirect("portal-signin")
        form.add_error("code", result.problem)
        return {"code_form": form}
    signin.complete(request, result.user, mobile)
    return redirect("portal-home")


def _check_password(request):
    form = PasswordSignInForm(request.POST)
    if not form.is_valid():
        return {"password_form": form, "mobile_form": MobileForm()}
    mobile = selectors.clean_mobile(form.cleaned_data["mobile"])
    if signin.locked(request, mobile):
        return redirect("portal-signin")
    right = selectors.signers_with_password(mobile, form.cleaned_data["password"])
    if len(right) > 1:
        return _offer(request, mobile, right, "sign_in_by_password")
    if not right:
        if signin.failed(request, mobile):
            return redirect("portal-signin")
        form.add_error(None, _("手机号码或密码不正确。"))
        return {"password_form": form, "mobile_form": MobileForm()}
    signin.complete(request, right[0].user, mobile)
    return redirect("portal-home")


def _offer(request, mobile, signers, how):
    """选择身份: the names of the identities only (no one's contacts)."""
    signin.offer_choice(request, mobile, signers, how)
    return {"choices": [(s.key, s.label) for s in signers]}


def _choose(request):
    offered = signin.pending_choice(request)
    if offered is None:
        return {"mobile_form": MobileForm(), "choice_expired": True}
    mobile, keys = offered["mobile"], offered["keys"]
    result = actions.sign_in_as(mobile, request.POST.get("identity", ""), keys, offered["how"])
    if result.user is None:
        signers = [s for s in selectors.signers_for_mobile(mobile) if s.key in keys]
        return {"choices": [(s.key, s.label) for s in signers], "problem": result.problem}
    signin.complete(request, result.user, mobile)
    return redirect("portal-home")


@never_cache
def welcome(request, token):
    """The invitation's link: set a password (once), then signed in."""
    invitation = actions.open_invitation(token)
    if invitation is None:
        return render(request, "portal/welcome.html", {"expired": True}, status=410)
    form = WelcomeForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(token, form.cleaned_data["new_password1"])
        except ActionRefused as exc:
            return render(request, "portal/welcome.html", {"expired": True, "why": exc}, 410)
        mobile = user.phone or invitation.sent_to
        signin.complete(request, user, selectors.clean_mobile(mobile))
        messages.success(request, _("密码已设置，欢迎使用。"))
        return redirect("portal-home")
    mobile = masked(selectors.clean_mobile(invitation.user.phone))  # how they sign in later
    context = {"form": form, "invitation": invitation, "mobile": mobile}
    return render(request, "portal/welcome.html", context)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal-signin")


# ---- following the items ------------------------------------------------------------------
@proposer_required
def home(request):
    """我的提案/建议."""
    items = selectors.my_items(request.proposer)
    invitations = selectors.invitations(request.user)
    context = {"items": items, "proposer": request.proposer, "invitations": invitations}
    return render(request, "portal/home.html", context)


@proposer_required
def notices(request):
    """通知: what was told to this account (invited to co-sign, the co-signers have answered,
    a draft returned), newest first; the header's count leads here."""
    rows = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    return render(request, "portal/notices.html", {"page": page_of(request, rows)})


@proposer_required
def notice(request, pk):
    """One notice opened: read from now on (as a message is once opened), then where it
    leads among the proposer's pages, else back to the list."""
    found = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=found.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(found.link if found.link.startswith("/me/") else "portal-notices")


@require_POST
@proposer_required
def notices_read(request):
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    unread.update(read_at=timezone.now())
    return redirect("portal-notices")


@proposer_required
def item(request, pk):
    proposal = get_object_or_404(
        selectors.items_of(request.proposer).select_related("session", "merged_into__session"),
        pk=pk,
    )
    context = {"proposal": proposal, **selectors.course(proposal, request.proposer)}
    context["draft"] = selectors.draft_behind(proposal, request.user)
    return render(request, "portal/item.html", context)


@proposer_required
def reply(request, pk):
    """One reply as sent, in the official layout, and this proposer's rating of it through
    the same verb as the emailed link."""
    found = selectors.reply_for(request.proposer, pk)
    if found is None:
        raise Http404
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            responses_actions.record_feedback(found, request.proposer, **form.cleaned_data)
            messages.success(request, _("感谢您的反馈！意见已送达建议提案处和承办单位。"))
        except ActionRefused as exc:
            if not exc.field:
                messages.error(request, exc.message)
                return redirect("portal-item", found.assignment.proposal_id)
            form.add_error(exc.field, exc.message)  # shown by the field, the typed values kept
        else:
            return redirect("portal-item", found.assignment.proposal_id)
    context = {"reply": found, "form": form, **selectors.reply_state(found, request.proposer)}
    return render(request, "portal/reply.html", context)


@proposer_required
def reply_pdf(request, pk):
    """The signed PDF, as frozen when it was sent."""
    found = selectors.reply_for(request.proposer, pk)
    if found is None:
        raise Http404
    try:
        frozen = responses_actions.freeze(found)["pdf"]
    except ActionRefused as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return letter_download(found, "pdf", bytes(frozen.content), frozen.sha256)


# ---- the office ---------------------------------------------------------------------------
@office_required
def proposers(request):
    """提出人名册: find a proposer and invite them to sign in, items filed or not."""
    query = request.GET.get("q", "")[:50]
    page = page_of(request, selectors.register(request.roles, query))
    # the named contacts and shared mobiles, as the item page's 提出人 card shows them
    context = {"page": page, "q": query, "doors": selectors.shared_mobiles(page.object_list)}
    return render_partial(request, "portal/proposers.html", context, "rows")


@require_POST
@office_required
@refusals_to_messages
def invite(request, pk):
    """邀请登录 from the item page's 提出人 card."""
    proposer = get_object_or_404(
        Proposer, pk=pk, jurisdiction_id__in=request.roles.office_jurisdiction_ids
    )
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请选择邀请方式。"))
    contact = None
    if form.cleaned_data["contact"]:
        contact = get_object_or_404(
            ContactPerson, pk=form.cleaned_data["contact"], proposer=proposer
        )
    actions.invite_proposer(
        proposer, request.user, channel=form.cleaned_data["channel"], contact=contact
    )
    messages.success(request, _("已向%(name)s发送登录邀请。") % {"name": contact or proposer})
    return _back(request)


@require_POST
@office_required
@refusals_to_messages
def add_contact(request, pk):
    """A group proposer's named contact, invited by SMS at once."""
    proposer = get_object_or_404(
        Proposer, pk=pk, jurisdiction_id__in=request.roles.office_jurisdiction_ids
    )
    form = ContactPersonForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请填写联系人姓名和有效的手机号码。"))
    known = ContactPerson.objects.filter(
        proposer=proposer, mobile=selectors.clean_mobile(form.cleaned_data["mobile"])
    ).first()  # invited before: invited again
    contact = known or actions.add_contact_person(proposer, request.user, **form.cleaned_data)
    actions.invite_proposer(proposer, request.user, channel="sms", contact=contact)
    messages.success(request, _("已添加联系人%(name)s并发送登录邀请。") % {"name": contact.name})
    return _back(request)
