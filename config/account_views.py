"""The account pages: sign-in, the second factor at sign-in, 两步验证 (enrol, recovery codes,
turning it off) and the password change.

django-axes counts wrong passwords, wrong second-factor codes and wrong current passwords on
the change page alike, for the username on that address; the count is wiped only when the whole
sign-in is done (sign_in_complete), never by the password alone."""

from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, PasswordChangeDoneView, PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from responses.proposer_selectors import is_proposer_account
from workflow import second_factor
from workflow.redirects import back_to
from workflow.roles import must_use_second_factor

SETUP_KEY = "banli_otp_setup_key"
FAILURES = "banli_otp_failures"


def _next(request):
    return back_to(
        request, request.POST.get("next"), request.GET.get("next"), default=reverse("home")
    )


def sign_in_complete(request, user):
    """The whole sign-in is done: the failures counted against this username from this address
    (wrong passwords, wrong codes) are forgotten. Not before: a right password between rounds
    of wrong codes must not give the guesser a fresh count."""
    AxesProxyHandler.reset_attempts(
        ip_address=get_client_ip_address(request), username=user.get_username()
    )


def _failed(request, user):
    """A wrong secret for a signed-in (or half signed-in) user counts as a failed sign-in.
    Returns whether the username is now locked on this address; if so the session is signed
    out and django-axes' middleware answers with its lockout page."""
    credentials = {"username": user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return _locked(request, credentials)


def _locked(request, credentials):
    if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
        request, credentials
    ):
        logout(request)
        request.axes_locked_out = True  # django-axes' middleware shows its lockout page
        return True
    return False


class BanliAuthenticationForm(AuthenticationForm):
    """The staff's sign-in: a proposer's account signs in at its own door (/me/), so its
    session is a proposer's and reaches only the proposer pages."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if is_proposer_account(user):
            raise ValidationError(_("提出人请从“我的提案/建议”入口登录。"), code="proposer_account")


class BanliLoginView(LoginView):
    form_class = BanliAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if not (second_factor.has_device(user) or must_use_second_factor(user)):
            sign_in_complete(self.request, user)  # the password is the whole sign-in
        return response


login_view = BanliLoginView.as_view()


def _passed(request, device):
    """The session has passed the second factor: a new session key for the stronger session,
    and the sign-in is complete."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(FAILURES, None)
    sign_in_complete(request, request.user)


@never_cache
@login_required
def verify(request):
    """After the password: a code from the authenticator, or a recovery code."""
    user = request.user
    target = _next(request)
    if user.is_verified():
        return redirect(target)
    if not second_factor.has_device(user):
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': target})}")
    error = ""
    if request.method == "POST":
        answer = _check_code(request, user, target)
        if not isinstance(answer, str):
            return answer
        error = answer
    return render(request, "registration/two_factor_verify.html", {"next": target, "error": error})


def _check_code(request, user, target):
    """The code posted at sign-in: a redirect once it passes (or the sign-in ends), else the
    error to show."""
    credentials = {"username": user.get_username()}
    if _locked(request, credentials):
        return redirect("login")
    result = second_factor.check(user, request.POST.get("code", ""))
    if result.device is not None:
        _passed(request, result.device)
        if result.used_recovery_code:
            messages.warning(
                request,
                _("已使用一个恢复码，还剩 %(count)d 个。请尽快在“两步验证”页重新生成。")
                % {"count": second_factor.recovery_codes_left(user)},
            )
        return redirect(target)
    return _wrong_code(request, credentials, result)


def _wrong_code(request, credentials, result):
    """A wrong code is a failed sign-in: django-axes counts it with the wrong passwords and
    locks the username on this address after AXES_FAILURE_LIMIT of them."""
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    failures = request.session.get(FAILURES, 0) + 1
    request.session[FAILURES] = failures
    if getattr(request, "axes_locked_out", False) or failures >= settings.AXES_FAILURE_LIMIT:
        logout(request)
        messages.error(request, _("验证码错误次数过多，请重新登录。"))
        return redirect("login")
    if result.locked_until:
        return _("验证码错误次数过多，请于 %(time)s 后再试。") % {
            "time": formats.time_format(timezone.localtime(result.locked_until), "H:i:s")
        }
    return _("验证码不正确，请重新输入。")


@never_cache
@login_required
def two_factor(request):
    """两步验证: enrol an authenticator by QR code or secret, replace it, new recovery codes."""
    user = request.user
    enrolled = second_factor.has_device(user)
    if enrolled and not user.is_verified():
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.path})}")
    action = request.POST.get("action") if request.method == "POST" else None
    enrolling = action in {"replace", "confirm"} or not enrolled
    if action == "replace" or (enrolling and SETUP_KEY not in request.session):
        request.session[SETUP_KEY] = second_factor.new_key()  # a new secret to scan
    answer = _two_factor_action(request, action, enrolled)
    if not isinstance(answer, str):
        return answer
    context = _two_factor_context(request, enrolled, enrolling, error=answer)
    return render(request, "registration/two_factor.html", context)


def _two_factor_action(request, action, enrolled):
    """What the posted action does: a response when it is done, else the error to show
    ("" when there is none)."""
    if action == "disable":
        return _disable(request, enrolled)
    if action == "codes" and enrolled:
        codes = second_factor.new_recovery_codes(request.user)
        return render(request, "registration/recovery_codes.html", {"codes": codes, "next": ""})
    if action == "confirm" and SETUP_KEY in request.session:
        return _confirm_enrolment(request)
    return ""


def _disable(request, enrolled):
    """关闭两步验证, with a current code; never for whom it is required."""
    user = request.user
    if request.roles.must_use_second_factor or not enrolled:
        raise PermissionDenied
    result = second_factor.check(user, request.POST.get("code", ""))
    if result.device is not None:
        second_factor.remove(user)
        messages.success(request, _("两步验证已关闭。"))
        return redirect("home")
    if _failed(request, user):
        return redirect("login")
    return _("验证码不正确，两步验证未关闭。")


def _confirm_enrolment(request):
    """The first code from a newly scanned authenticator: enrolled, with recovery codes."""
    user = request.user
    device, codes = second_factor.enrol(
        user, request.session[SETUP_KEY], request.POST.get("code", "")
    )
    if device is None:
        return _("验证码不正确，请核对手机时间后输入验证器当前显示的六位数字。")
    del request.session[SETUP_KEY]
    _passed(request, device)
    messages.success(request, _("两步验证已启用。"))
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": _next(request) if "next" in request.POST else ""},
    )


def _two_factor_context(request, enrolled, enrolling, error):
    user = request.user
    context = {
        "enrolled": enrolled,
        "enrolling": enrolling,
        "must": request.roles.must_use_second_factor,
        "codes_left": second_factor.recovery_codes_left(user) if enrolled else 0,
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    if enrolling:
        key = request.session[SETUP_KEY]
        url = second_factor.provisioning_url(user, key)
        context["qr"] = segno.make(url, error="m").svg_data_uri(scale=5, border=2)
        context["secret"] = second_factor.secret_text(key)
    return context


class BanliPasswordChangeForm(PasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and "old_password" not in self.errors and new == cleaned.get("old_password"):
            self.add_error(
                "new_password1",
                ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged"),
            )
        return cleaned


class BanliPasswordChangeView(PasswordChangeView):
    """A wrong current password is a failed sign-in: a stolen session cannot guess it without
    limit. At the lockout the session is signed out."""

    form_class = BanliPasswordChangeForm
    template_name = "registration/change_password.html"
    success_url = reverse_lazy("password-changed")

    def post(self, request, *args, **kwargs):
        if _locked(request, {"username": request.user.get_username()}):
            return redirect("login")
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect") and _failed(
            self.request, self.request.user
        ):
            return redirect("login")
        return super().form_invalid(form)


password_change = BanliPasswordChangeView.as_view()
password_changed = PasswordChangeDoneView.as_view(
    template_name="registration/change_password_done.html"
)
