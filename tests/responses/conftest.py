import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def import_letters(django_capture_on_commit_callbacks):
    """Upload files to the letter import as the office would; the reading task runs when the
    request commits, as a worker would, and the import's page is read afterwards."""

    def send(client, files):
        uploads = [SimpleUploadedFile(name, data) for name, data in files]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/office/import/", {"files": uploads})
        assert response.status_code == 302, response.content[:500]
        return client.get(response["Location"], follow=True)

    return send


def import_form(page, confirm=(), **changes):
    """What the import's page posts: every letter's form as the page shows it, the letters
    at the indices in `confirm` ticked, and `changes` ({"l0-session": pk, …}) typed over."""
    data = {}
    for letter in page.context["letters"]:
        form = letter.get("form")
        if form is None:
            continue
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value
        data.pop(form.add_prefix("confirmed"))
        if letter["index"] in confirm:
            data[form.add_prefix("confirmed")] = "on"
    return data | changes
