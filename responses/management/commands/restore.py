"""Restore a backup made by `backup` into this (empty) database and MEDIA_ROOT, then check
that every table holds as many rows as the backup recorded."""

import json
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import pg_environment, table_counts


class Command(BaseCommand):
    help = "从 backup 命令生成的目录恢复到当前（空）数据库，并核对各表行数。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录")

    def handle(self, *args, source, **options):
        folder = Path(source)
        manifest = json.loads((folder / "manifest.json").read_text())
        db = connection.settings_dict
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(folder / "database.dump"),
            ],
            env={**os.environ, **pg_environment(db)},
            check=True,
        )
        archive = folder / "media.tar.gz"
        if archive.exists():
            shutil.unpack_archive(str(archive), settings.MEDIA_ROOT)
        restored = table_counts()
        wrong = {
            k: (v, restored.get(k)) for k, v in manifest["counts"].items() if restored.get(k) != v
        }
        if wrong:
            raise CommandError(f"行数不一致：{wrong}")
        self.stdout.write(f"恢复完成，{len(restored)} 张表行数一致。")
