"""Where a page sends the user after a form: only ever to a path of this site.

A `next` field and the Referer header are written by whoever sends the request; taken as they
come they make the site an open redirect (`next=https://evil.example/`). Every view that sends
the user back asks `back_to` here."""

from urllib.parse import urlsplit, urlunsplit

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request, candidate):
    """`candidate` (a `next` value or a Referer) as a path of this site, or None.

    An absolute URL of this very host (a Referer) becomes its path and query; another host, a
    scheme-relative `//host`, `/\\host`, `javascript:` and anything not starting at the site's
    root are refused."""
    if not candidate or not isinstance(candidate, str):
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(candidate)
    path = parts.path
    if not path.startswith("/") or path[1:2] in ("/", "\\"):
        return None
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def back_to(request, *candidates, default="home"):
    """The first candidate that is a path of this site, else `default` (a URL name or path)."""
    for candidate in candidates:
        path = local_path(request, candidate)
        if path:
            return path
    return default
