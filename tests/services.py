"""Live services for the tests that need them: PostgreSQL, Redis and a Celery worker.

Without DATABASE_URL/REDIS_URL such tests skip; with CI=true they fail instead, so CI proves
the production path on every run.
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(what):
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}, and CI must run this test", pytrace=False)
    pytest.skip(message)


def require_postgres():
    if connection.vendor != "postgresql":
        missing("PostgreSQL (set DATABASE_URL)")


def require_redis():
    url = settings.REDIS_URL
    if not url:
        missing("Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing(f"Redis at {url} ({exc})")


def database_url():
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(beat=False, extra_env=None):
    """A real worker process on Redis, on a queue of its own, reading the test database."""
    from config.celery import app

    queue = f"banli-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"{queue}@%h",
    ]
    if beat:
        schedule = Path(settings.VAR_DIR) / f"{queue}-beat"
        command += ["--beat", "--schedule", str(schedule)]
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    log = open(Path(settings.VAR_DIR) / f"{queue}.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        output = log.read()
        log.close()
        if process.returncode not in (0, -15, None) and "Traceback" in output:
            print(output[-4000:])


def collect_static(folder):
    """`manage.py collectstatic` with the production settings (hashed names, compressed
    copies) into `folder`; returns the folder, for a server started with STATIC_ROOT on it."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "BANLI_VAR_DIR": str(folder.parent / f"{folder.name}-var"),
        "STATIC_ROOT": str(folder),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


def wait_for(predicate, timeout=60, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


@contextmanager
def broker(url):
    """Point this process's Celery producer at another broker (a private test Redis)."""
    from config.celery import app

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reset()


@contextmanager
def private_redis(tmp_path, port):
    """A redis-server of the test's own, on a private port: stopping it never touches the
    shared service."""
    import shutil

    if not shutil.which("redis-server"):
        missing("redis-server")
    server = Redis(tmp_path, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Redis:
    def __init__(self, directory, port):
        self.directory, self.port = directory, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.directory / f"redis-{self.port}.pid"),
            ],
            check=True,
        )
        import redis

        assert wait_for(lambda: _pings(redis, self.url), timeout=20), "private redis did not start"

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        import redis

        wait_for(lambda: not _pings(redis, self.url), timeout=20)


def _pings(redis, url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
