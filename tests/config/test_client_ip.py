"""The sign-in limits count visitors, not the proxy in front of Banli."""

from django.test import RequestFactory

from config.client_ip import client_ip


def request(forwarded="", remote="10.0.0.1"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_connection_is_the_visitor_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request("203.0.113.9")) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_saw_is_the_visitor(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request("198.51.100.7")) == "198.51.100.7"
    # a visitor's own X-Forwarded-For claim is left of what the proxy appended: ignored
    assert client_ip(request("6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request("")) == "10.0.0.1"  # no header: the connection


def test_two_visitors_behind_the_proxy_are_counted_apart(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = 1
    assert get_client_ip_address(request("198.51.100.7")) != get_client_ip_address(
        request("198.51.100.8")
    )
