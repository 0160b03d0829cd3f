"""The public site's sitemap: the list page and each published reply, nothing else. It reads
the same queryset as the public pages, so a withheld or withdrawn reply can never be listed."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .selectors import public_queryset


class PublicListSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["public-list"]

    def location(self, item):
        return reverse(item)


class PublishedReplySitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        rows = public_queryset().select_related(None).only("pk", "published_at")
        return rows.order_by("-published_at", "-id")

    def location(self, reply):
        return reverse("public-reply", args=[reply.pk])

    def lastmod(self, reply):
        return reply.published_at


SITEMAPS = {"public": PublicListSitemap, "replies": PublishedReplySitemap}
