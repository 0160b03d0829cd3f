"""The README's backup and restore procedure, run for real: dump, restore into a fresh
database, and the same rows in every table."""

import os
import subprocess
import sys

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from tests.services import ROOT, database_url, require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_backup_restores_into_a_fresh_database_with_the_same_counts(tmp_path):
    require_postgres()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    fresh = f"{connection.settings_dict['NAME']}_restore"
    admin = psycopg2.connect(database_url().rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url().rsplit("/", 1)[0] + f"/{fresh}",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "行数一致" in result.stdout
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()
