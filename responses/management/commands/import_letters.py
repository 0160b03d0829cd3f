import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from proposals.models import Jurisdiction, User
from responses.actions import import_letter
from responses.importer import files_of, labels, parse, summary
from workflow.audit import ActionRefused


class Command(BaseCommand):
    help = (
        "导入以往的答复函（.txt/.md/.docx/带文字层的.pdf，或包含它们的文件夹、.zip）。"
        "先列出识别结果；加 --json 输出机器可读的识别结果；加 --save 才保存。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--jurisdiction", help="行政区名称，如 上海市（--save 时必填）")
        parser.add_argument("--user", help="执行导入的建议提案处账号（--save 时必填）")
        parser.add_argument("--save", action="store_true", help="保存（默认只预览）")
        parser.add_argument("--accept-gaps", action="store_true", help="有未识别要素的文件也保存")
        parser.add_argument(
            "--json", action="store_true", help="每个文件一个对象的JSON列表（只预览，不保存）"
        )

    def handle(self, *args, paths, jurisdiction, user, save, accept_gaps, json, **options):
        files = read(paths)
        if json:
            self.stdout.write(as_json(files))
            return
        where = actor = None
        if jurisdiction or user or save:
            where = Jurisdiction.objects.filter(name=jurisdiction).first()
            actor = User.objects.filter(username=user).first()
            if where is None or actor is None:
                raise CommandError("行政区或账号不存在。")
        with transaction.atomic():
            for name, text, refusal in files:
                if text is None:
                    self.stdout.write(f"✗ {name}：{refusal}")
                    continue
                parsed = parse(text)
                gaps = labels(parsed.missing) or "无"
                number, title = parsed.fields.get("doc_number", ""), parsed.fields.get("title", "")
                flag = "✓" if parsed.complete else "△"
                self.stdout.write(f"{flag} {name}：{number} {title}；缺少：{gaps}")
                if save and parsed.blocking:
                    raise CommandError(f"{name}：缺少{labels(parsed.blocking)}，无法保存。")
                if save and (parsed.complete or accept_gaps):
                    try:
                        import_letter(actor, parsed, where)
                    except ActionRefused as exc:
                        raise CommandError(f"{name}：{exc}") from exc


def read(paths):
    """(name, text or None, refusal) for every letter in the files, folders and zips given."""
    files = []
    for path in map(Path, paths):
        if not path.exists():
            raise CommandError(f"{path}：文件不存在。")
        targets = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for target in targets:
            shown = str(target) if path.is_dir() else target.name
            for name, text, refusal in files_of(target.name, target.read_bytes()):
                files.append((shown if name == target.name else f"{shown}/{name}", text, refusal))
    return files


def as_json(files):
    """One object per file: the recognised elements (`importer.summary`), or its refusal."""
    out = []
    for name, text, refusal in files:
        if text is None:
            out.append({"file": name, "error": refusal})
        else:
            out.append({"file": name, **summary(parse(text))})
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"
