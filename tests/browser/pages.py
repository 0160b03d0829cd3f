"""Every page of the demo (`call_command("load_demo")`), listed once per role that uses it, for
the browser tests that walk them all (layout on a phone, accessibility, journeys).

`demo_pages()` reads the loaded demo and answers {role: Role(username, paths)}; the roles are
the 建议提案处 (office), the lead unit's 承办人 (clerk) and 签发人 (leader), a co-handling
unit's 承办人 (co_clerk) and the public (no login). `demo_imports(office)` adds one Excel
import and one import of past letters, whose detail pages the demo alone does not have.
"""

from dataclasses import dataclass
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.data import DEMO_PASSWORD

CO_CLERK = "wsjw_clerk"  # 上海市卫生健康委员会: co-handles several of the demo's items


@dataclass(frozen=True)
class Role:
    username: str | None
    paths: list[str]
    password: str = DEMO_PASSWORD


def _first(queryset):
    found = queryset.first()
    assert found is not None, f"the demo has no {queryset.model.__name__} like this"
    return found


def _items_of(unit_name, *states, role="lead"):
    from workflow.models import Assignment

    found = Assignment.objects.filter(unit__name=unit_name, role=role, state__in=states)
    return [f"/items/{a.proposal_id}/" for a in found.order_by("pk")[:1]]


def _office_paths():
    from proposals.models import Proposal, Session
    from responses.models import Reply

    mine = {"jurisdiction__name": "上海市"}
    received = _first(
        Proposal.objects.filter(
            assignments__isnull=True, session__in=Session.objects.filter(**mine)
        ).order_by("pk")
    )
    published = _first(
        Reply.objects.filter(
            state="published", assignment__unit__jurisdiction__name="上海市"
        ).order_by("pk")
    )
    return [
        "/office/monitor/",
        "/office/proposals/",
        "/office/proposals/new",
        "/office/proposals/import/",
        "/office/proposers/duplicates/",
        "/office/proposers/",
        "/office/requests/",
        "/office/publication/",
        "/office/undelivered/",
        "/office/look-back/",
        "/office/look-back/yearly/",
        "/office/import/",
        "/office/statistics/",
        f"/items/{received.pk}/",
        f"/items/{published.assignment.proposal_id}/",
        "/search/?q=科技",
        "/notifications/",
        "/notifications/settings/",
        "/account/two-factor/",
        "/account/password/",
        "/status/",
    ]


def _clerk_paths():
    from responses.models import Reply
    from workflow.models import ReminderDigest

    unit = "上海市科学技术委员会"
    # The day's reminders are sent once a day: a second load the same day may have none.
    digests = ReminderDigest.objects.filter(unit__name=unit, deadline_kind="").order_by("pk")[:1]
    promised = ReminderDigest.objects.filter(unit__name=unit, deadline_kind="commitment")
    returned = _first(Reply.objects.filter(state="returned", assignment__unit__name=unit))
    sent = _first(Reply.objects.filter(state="published", assignment__unit__name=unit))
    return [
        "/work/",
        "/work/?state=all",
        *_items_of(unit, "pending"),
        *_items_of(unit, "accepted"),
        f"/items/{returned.assignment.proposal_id}/",
        f"/letters/reply/{returned.pk}/",
        f"/letters/reply/{sent.pk}/",
        *[f"/reminders/{digest.pk}/" for digest in digests],
        *[f"/reminders/commitments/{digest.pk}/" for digest in promised.order_by("pk")[:1]],
        "/search/?q=科技",
        "/notifications/",
    ]


def _leader_paths():
    from responses.models import Reply

    mine = Reply.objects.filter(assignment__unit__name="上海市科学技术委员会")
    submitted = _first(mine.filter(state="submitted").order_by("pk"))
    return [
        "/review/",
        f"/letters/reply/{submitted.pk}/",
        f"/items/{submitted.assignment.proposal_id}/",
        "/work/",
        "/notifications/",
    ]


def _co_clerk_paths():
    from responses.models import Opinion

    unit = "上海市卫生健康委员会"
    opinion = _first(Opinion.objects.filter(assignment__unit__name=unit).order_by("pk"))
    return [
        "/work/",
        *_items_of(unit, "pending", role="co"),
        *_items_of(unit, "accepted", role="co"),
        f"/items/{opinion.assignment.proposal_id}/",
        f"/letters/opinion/{opinion.pk}/",
        "/notifications/",
    ]


def _public_paths():
    from responses.links import feedback_url
    from responses.models import Reply

    published = _first(Reply.objects.filter(state="published").order_by("pk"))
    person = published.assignment.proposal.proposers.first()
    return [
        "/public/",
        "/public/?q=科技",
        f"/public/replies/{published.pk}/",
        "/verify/",
        feedback_url(published, person),
        "/login/",
    ]


def demo_pages():
    """Each role's pages on the loaded demo, as {role: Role}."""
    return {
        "office": Role("office", _office_paths()),
        "clerk": Role("clerk", _clerk_paths()),
        "leader": Role("leader", _leader_paths()),
        "co_clerk": Role(CO_CLERK, _co_clerk_paths()),
        "public": Role(None, _public_paths()),
    }


def _workbook():
    """Two rows for the Excel import: one that can be added, one with a unit nobody knows."""
    from openpyxl import Workbook

    from proposals.models import Session
    from workflow import item_import

    session = _first(Session.objects.filter(jurisdiction__name="上海市", body="cppcc"))
    book = Workbook()
    sheet = book.active
    sheet.append([str(h) for _key, h, *_rest in item_import.COLUMNS])
    row = ["提案", session.name, "9001", "关于推进科技成果转化的提案", "章毅", "正文", "科技"]
    sheet.append([*row, "否", "上海市科学技术委员会", "", "", "2024-03-05"])
    sheet.append([*row[:2], "9002", "关于优化公交线网的提案", *row[4:], "否", "不存在的单位"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def demo_imports(office_username="office"):
    """An Excel import checked (rows to confirm, one error) and an import of two past letters
    read (waiting to be confirmed), as the office leaves them; their detail pages' paths."""
    from demo.data import FIXTURES
    from proposals.models import User
    from responses.actions import start_letter_import
    from workflow.actions import start_item_import

    office = User.objects.get(username=office_username)
    shanghai = office.office_memberships.get().jurisdiction
    workbook = SimpleUploadedFile("import.xlsx", _workbook())
    items = start_item_import(office, shanghai, workbook)
    seeds = sorted((FIXTURES / "seeds").glob("00[04]_*.txt"))
    uploads = [SimpleUploadedFile(f"{i}.txt", path.read_bytes()) for i, path in enumerate(seeds)]
    letters = start_letter_import(office, shanghai, uploads)
    return [f"/office/proposals/import/{items.pk}/", f"/office/import/{letters.pk}/"]


def admin_paths():
    """The Django admin as the system administrator: the index, a list and a change form."""
    from proposals.models import Proposal

    item = _first(Proposal.objects.order_by("pk"))
    return [
        "/admin/",
        "/admin/proposals/proposal/",
        f"/admin/proposals/proposal/{item.pk}/change/",
    ]
