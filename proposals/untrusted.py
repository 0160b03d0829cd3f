"""Reading files people upload, within bounds: zip archives (and so .xlsx and .docx, which
are zips) are opened with caps on the number of members, each member's size and the total
decompressed size, checked first against what the archive declares and then against what
decompressing actually yields (a header can lie); an archive inside an archive is refused.

It lives in `proposals`, the app every other app may import (responses → workflow →
proposals), and imports nothing of the project, so the letter import (responses) and the
Excel item import (workflow) share one reading of an untrusted zip.
"""

import io
import logging
import struct
import time
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Office files never declare a DTD; one in an .xlsx or .docx part is an XXE or an entity
# expansion ("billion laughs"), refused before any XML parser sees it, in the encodings XML
# may use.
DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
DTD_TAIL = max(len(mark) for mark in DTD_MARKS)
# Archives proper; an Office file (.docx, .xlsx) is a zip too but is read as a document.
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".jar")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


# ---- one-line texts (an item's number and title, a letter's title) -------------------------
# They end up in mail headers and texts: a line break there is a header injection (Django
# refuses to send it), so no control character (Unicode category Cc) is accepted in them.


def control_characters(text):
    """The control characters (category Cc: line breaks, tabs, NUL, DEL, …) in `text`."""
    return [ch for ch in str(text) if unicodedata.category(ch) == "Cc"]


def control_character_problem():
    return _("不能包含换行符、制表符等控制字符。")


def validate_one_line(value):
    """The validator of every one-line field a person types (forms, the API, the import)."""
    if control_characters(value):
        raise ValidationError(control_character_problem(), code="control_characters")


def one_line(text):
    """`text` as one line: every run of whitespace or control characters becomes a space
    (for a mail subject or a notice's title built from stored texts)."""
    out, gap = [], False
    for ch in str(text):
        if ch.isspace() or unicodedata.category(ch) == "Cc":
            gap = True
            continue
        if gap and out:
            out.append(" ")
        out.append(ch)
        gap = False
    return "".join(out)


class Refused(ValueError):
    """The file cannot be read within bounds; the message says why, in the user's words."""


@dataclass(frozen=True)
class Caps:
    total: int  # decompressed bytes over all members
    member: int  # decompressed bytes of one member
    members: int  # number of members (folders included)
    seconds: int = 30  # the time budget: a slow archive is refused, never waited on


def mb(n):
    return f"{n / (1024 * 1024):.0f}MB"


class Budget:
    """What reading one upload may spend: decompressed bytes and seconds. Every archive opened
    for it (a .docx inside a .zip too) draws on the same budget, so the whole upload is
    bounded, not each part. The time budget holds under every worker pool (Celery's own time
    limits need the prefork pool)."""

    def __init__(self, total, seconds, what):
        self.total, self.seconds, self.what = total, seconds, what
        self.until = time.monotonic() + seconds
        self.spent = 0

    def spend(self, n):
        self.spent += n
        if self.spent > self.total:
            raise Refused(
                _("“%(name)s”解压后超过%(cap)s，可能是压缩炸弹，已拒绝。")
                % {"name": self.what, "cap": mb(self.total)}
            )
        self.check_time()

    def check_time(self):
        if time.monotonic() > self.until:
            raise Refused(
                _("读取“%(name)s”超过%(n)d秒，已停止。请拆分后分批导入。")
                % {"name": self.what, "n": self.seconds}
            )


class BoundedZip:
    """An open archive whose every read is counted against its caps."""

    def __init__(self, name, data, caps, budget=None):
        self.name, self.caps = name, caps
        self.budget = budget or Budget(caps.total, caps.seconds, name)
        declared = declared_members(data)
        if declared is not None and declared > caps.members:
            # Said by the end record, before zipfile builds an object for every entry.
            raise Refused(self._too_many(declared))
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            # The library's words (in English) go to the log; the user is told in theirs.
            logger.info("%r is not a readable zip: %r", name, exc)
            raise Refused(_("“%(name)s”已损坏或不是压缩文件。") % {"name": name}) from exc
        members = self.archive.infolist()
        if len(members) > caps.members:
            raise Refused(self._too_many(len(members)))
        declared = 0
        for info in members:
            if info.file_size > caps.member:
                raise Refused(self._too_big_member(info.filename))
            declared += info.file_size
            if declared > caps.total:
                raise Refused(self._too_big_total())

    def _too_many(self, count):
        return _("“%(name)s”包含%(n)d个文件，超过上限%(cap)d个。") % {
            "name": self.name,
            "n": count,
            "cap": self.caps.members,
        }

    def _too_big_member(self, member):
        return _("“%(name)s”中的“%(member)s”解压后超过%(cap)s。") % {
            "name": self.name,
            "member": member,
            "cap": mb(self.caps.member),
        }

    def _too_big_total(self):
        return _("“%(name)s”解压后超过%(cap)s，可能是压缩炸弹，已拒绝。") % {
            "name": self.name,
            "cap": mb(self.caps.total),
        }

    def members(self):
        """The files in the archive (folders left out), in archive order."""
        return [info for info in self.archive.infolist() if not info.is_dir()]

    def open(self, info):
        """A stream of one member that refuses as soon as it yields more than declared or
        more than the caps allow."""
        return _Counted(self, info)

    def read(self, info, refuse_archives=True):
        """One member's bytes, counted while decompressing; an archive inside is refused."""
        if refuse_archives and info.filename.lower().endswith(ARCHIVE_SUFFIXES):
            raise Refused(self.nested(info.filename))
        out = io.BytesIO()
        with self.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
        data = out.getvalue()
        if refuse_archives and data.startswith(ARCHIVE_MAGIC):
            raise Refused(self.nested(info.filename))
        return data

    def nested(self, member):
        return _("“%(name)s”中含有压缩文件“%(member)s”：不接受压缩包套压缩包，请解压后再上传。") % {
            "name": self.name,
            "member": member,
        }

    def _broken(self, member, exc):
        logger.info("%r in %r cannot be decompressed: %r", member, self.name, exc)
        return _("“%(name)s”中的“%(member)s”已损坏，无法解压。") % {
            "name": self.name,
            "member": member,
        }

    def verify(self, refuse_dtd=False):
        """Decompress every member once, discarding the bytes: the actual sizes are within
        the caps (and the archive is not corrupt) before anything else reads it. With
        `refuse_dtd`, an XML part that declares a DTD or an entity is refused."""
        for info in self.members():
            xml = refuse_dtd and info.filename.lower().endswith((".xml", ".rels", ".vml"))
            tail = b""
            with self.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    if xml:
                        window = tail + chunk
                        if any(mark in window for mark in DTD_MARKS):
                            raise Refused(
                                _(
                                    "“%(name)s”中的“%(member)s”含有DTD或实体定义，"
                                    "出于安全原因不予读取。"
                                )
                                % {"name": self.name, "member": info.filename}
                            )
                        tail = window[-DTD_TAIL:]

    def close(self):
        self.archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Counted(io.RawIOBase):
    def __init__(self, owner, info):
        self.owner, self.info, self.done = owner, info, 0
        try:
            self.stream = owner.archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise Refused(owner._broken(info.filename, exc)) from exc

    def readable(self):
        return True

    def read(self, size=-1):
        owner = self.owner
        limit = min(owner.caps.member, self.info.file_size) - self.done
        want = CHUNK if size is None or size < 0 else min(size, CHUNK)
        try:
            # One byte past what is allowed tells a lying header from an honest one.
            chunk = self.stream.read(min(want, max(limit, 0) + 1))
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise Refused(owner._broken(self.info.filename, exc)) from exc
        self.done += len(chunk)
        if self.done > min(owner.caps.member, self.info.file_size):
            raise Refused(owner._too_big_member(self.info.filename))
        owner.budget.spend(len(chunk))
        return chunk

    def readinto(self, buffer):
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self):
        self.stream.close()
        super().close()


def declared_members(data):
    """The entry count the archive's end record states (zip64 too), or None if not found."""
    tail_start = max(0, len(data) - (1 << 16) - 22)
    at = data.rfind(b"PK\x05\x06", tail_start)
    if at < 0 or at + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, at + 10)[0]
    if count != 0xFFFF:
        return count
    locator = data.rfind(b"PK\x06\x07", tail_start, at)
    if locator < 0 or locator + 20 > len(data):
        return None
    record = struct.unpack_from("<Q", data, locator + 8)[0]
    if record + 40 > len(data) or data[record : record + 4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", data, record + 32)[0]


def open_zip(name, data, caps, budget=None):
    """`name`'s bytes as a BoundedZip, or Refused saying why."""
    return BoundedZip(name, data, caps, budget)


def checked_zip(name, data, caps, budget=None):
    """Refused unless every member of the archive decompresses within the caps and no XML
    part declares a DTD: for handing a checked .xlsx or .docx to a library that reads the zip
    itself."""
    with open_zip(name, data, caps, budget) as archive:
        archive.verify(refuse_dtd=True)
