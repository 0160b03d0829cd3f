"""The account pages: the second factor at sign-in, 两步验证 (enrol, recovery codes) and the
password change."""

from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from workflow import second_factor

SETUP_KEY = "banli_otp_setup_key"
FAILURES = "banli_otp_failures"


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _passed(request, device):
    """The session has passed the second factor: a new session key for the stronger session."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(FAILURES, None)


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
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            request.axes_locked_out = True  # django-axes' middleware shows its lockout page
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
        # A wrong code is a failed sign-in: django-axes counts it with the wrong passwords and
        # locks the username on this address after AXES_FAILURE_LIMIT of them.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        failures = request.session.get(FAILURES, 0) + 1
        request.session[FAILURES] = failures
        if getattr(request, "axes_locked_out", False) or failures >= settings.AXES_FAILURE_LIMIT:
            logout(request)
            messages.error(request, _("验证码错误次数过多，请重新登录。"))
            return redirect("login")
        if result.locked_until:
            error = _("验证码错误次数过多，请于 %(time)s 后再试。") % {
                "time": formats.time_format(timezone.localtime(result.locked_until), "H:i:s")
            }
        else:
            error = _("验证码不正确，请重新输入。")
    return render(request, "registration/two_factor_verify.html", {"next": target, "error": error})


@never_cache
@login_required
def two_factor(request):
    """两步验证: enrol an authenticator by QR code or secret, replace it, new recovery codes."""
    user = request.user
    enrolled = second_factor.has_device(user)
    if enrolled and not user.is_verified():
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.path})}")
    target = _next(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "codes" and enrolled:
        codes = second_factor.new_recovery_codes(user)
        return render(request, "registration/recovery_codes.html", {"codes": codes, "next": ""})
    enrolling = action in {"replace", "confirm"} or not enrolled
    if action == "replace" or (enrolling and SETUP_KEY not in request.session):
        request.session[SETUP_KEY] = second_factor.new_key()  # a new secret to scan
    error = ""
    if action == "confirm" and SETUP_KEY in request.session:
        device, codes = second_factor.enrol(
            user, request.session[SETUP_KEY], request.POST.get("code", "")
        )
        if device is not None:
            del request.session[SETUP_KEY]
            _passed(request, device)
            messages.success(request, _("两步验证已启用。"))
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": target if "next" in request.POST else ""},
            )
        error = _("验证码不正确，请核对手机时间后输入验证器当前显示的六位数字。")
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
    return render(request, "registration/two_factor.html", context)


password_change = PasswordChangeView.as_view(
    template_name="registration/change_password.html",
    success_url=reverse_lazy("password-changed"),
)
password_changed = PasswordChangeDoneView.as_view(
    template_name="registration/change_password_done.html"
)
