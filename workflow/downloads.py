"""A file sent to the browser as a download. Every export, report and letter file goes through
`download`, so they all carry the same headers."""

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content, filename, content_type=XLSX, digest=None):
    """`content` as an attachment called `filename`. A name of plain ASCII is written as it
    is; any other (a document number holds Chinese) in the UTF-8 form every browser reads.
    `digest`, when given, is the file's SHA-256, for whoever checks what they received."""
    response = HttpResponse(content, content_type=content_type)
    if quote(filename) == filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    if digest:
        response["X-Content-SHA256"] = digest
    return response
