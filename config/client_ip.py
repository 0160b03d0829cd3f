"""The visitor's address, for the sign-in limits and django-axes' lockouts.

Behind a reverse proxy every request comes from the proxy, so the limits would count the whole
site as one visitor. With TRUSTED_PROXIES = n (the proxies in front of Banli, which each append
the address they saw to X-Forwarded-For), the visitor is the n-th address from the right: the
one the outermost trusted proxy saw. Addresses further left are the visitor's own claims and
are never trusted."""

from django.conf import settings


def client_ip(request):
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        seen = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        seen = [a for a in seen if a]
        if len(seen) >= proxies:
            return seen[-proxies]
    return request.META.get("REMOTE_ADDR")
