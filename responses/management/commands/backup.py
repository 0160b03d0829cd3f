"""Back up PostgreSQL (pg_dump, custom format) and the uploaded files into one folder."""

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_environment(db):
    env = {
        "PGHOST": db.get("HOST") or "127.0.0.1",
        "PGPORT": str(db.get("PORT") or 5432),
        "PGUSER": db.get("USER") or "postgres",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def table_counts():
    """Rows per model: written beside the dump, checked after a restore."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("proposals", "workflow", "responses")
    }


class Command(BaseCommand):
    help = "备份数据库（pg_dump）与上传文件到一个目录；用 restore 命令恢复。"

    def add_arguments(self, parser):
        parser.add_argument("target", help="备份目录（将新建）")

    def handle(self, *args, target, **options):
        if connection.vendor != "postgresql":
            raise CommandError("备份命令用于 PostgreSQL；SQLite 直接复制 var/ 目录即可。")
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=False)
        db = connection.settings_dict
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={folder / 'database.dump'}",
                db["NAME"],
            ],
            env={**os.environ, **pg_environment(db)},
            check=True,
        )
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.make_archive(str(folder / "media"), "gztar", root_dir=media)
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "at": datetime.now().isoformat(),
                    "database": db["NAME"],
                    "counts": table_counts(),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        self.stdout.write(f"备份完成：{folder}")
