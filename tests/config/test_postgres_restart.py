"""PostgreSQL restarted under load: requests fail cleanly (503, retry page, nothing half-saved)
and the site recovers by itself once the database is back.

The test runs its own throwaway cluster (initdb + pg_ctl in a temporary directory, on a port of
its own) and its own gunicorn; the shared PostgreSQL service is never stopped.
"""

import contextlib
import glob
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.services import ROOT, missing, wait_for

pytestmark = pytest.mark.services

PASSWORD = "pw-Banli-2024"  # tests.factories.user


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if not initdb:
        missing("PostgreSQL server binaries (initdb, pg_ctl)")
    return Path(initdb).parent


class Cluster:
    """A private PostgreSQL cluster. As root, its commands run as the postgres user, since
    PostgreSQL refuses to run as root."""

    def __init__(self, directory, port):
        self.directory, self.port, self.bin = directory, port, postgres_bin()
        self.data = directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{port}/banli_fault"

    def _run(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            prefix + [str(self.bin / command[0]), *command[1:]],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self):
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        log = self.directory / "postgres.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def createdb(self):
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "banli_fault"
        )


@pytest.fixture
def cluster():
    directory = Path(tempfile.mkdtemp(prefix="banli-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    server = Cluster(directory, free_port())
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()  # already stopped if the test failed while it was down
        shutil.rmtree(directory, ignore_errors=True)


def seed():
    """Run inside the private database: a clerk with two pending assignments."""
    from tests import factories
    from workflow.actions import assign_proposal
    from workflow.models import Assignment

    where = factories.jurisdiction()
    office = factories.office_user(where, username="office")
    kewei = factories.unit("上海市科学技术委员会", where)
    factories.member(kewei, "clerk", username="clerk")
    for number in ("101", "102"):
        item = factories.filed(office, number=number)
        assign_proposal(item, office, lead=kewei)
    print("ASSIGNMENTS", *Assignment.objects.order_by("pk").values_list("pk", flat=True))


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


class Browser:
    """One signed-in person: a session cookie and a CSRF token over plain http.client."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username):
        self.request("GET", "/login/")
        status, _ = self.request("POST", "/login/", {"username": username, "password": PASSWORD})
        assert status == 302, "login failed"


@pytest.fixture
def site(cluster, tmp_path, collected_static):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": cluster.url,
        "REDIS_URL": "",
        "BANLI_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(collected_static),
        "DB_CONN_MAX_AGE": "60",
    }
    cluster.createdb()
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    out = manage(env, "shell", "-c", "from tests.config.test_postgres_restart import seed; seed()")
    assignments = [int(n) for n in re.search(r"ASSIGNMENTS (.*)", out).group(1).split()]
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: _answers(port), timeout=60), "gunicorn did not start"
        yield port, assignments, env
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.seek(0)
        output = log.read()
        log.close()
        if "Traceback" in output and "OperationalError" not in output:
            print(output[-4000:])


def _answers(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/login/")
        return conn.getresponse().status == 200
    except OSError:
        return False


def test_a_database_restart_under_load_fails_cleanly_and_recovers(cluster, site):
    port, (first, second), env = site
    clerk = Browser(port)
    clerk.login("clerk")
    assert clerk.request("GET", "/work/")[0] == 200

    # Load: four readers on the inbox for the whole scenario, each with its own session.
    outcomes, stop = [], threading.Event()

    loaded = [threading.Event() for _ in range(4)]

    def reader(loading):
        person = Browser(port)
        person.login("clerk")
        while not stop.is_set():
            try:
                status, _ = person.request("GET", "/work/")
            except OSError as exc:  # a reset or a hang would be a failure, not a clean answer
                status = type(exc).__name__
            outcomes.append((time.monotonic(), status))
            loading.set()
            time.sleep(0.05)

    readers = [threading.Thread(target=reader, args=(e,)) for e in loaded]
    for thread in readers:
        thread.start()
    # The load is on once every reader has signed in and been answered (signing in hashes a
    # password: on a busy machine that takes longer than any fixed pause).
    assert all(event.wait(timeout=60) for event in loaded), "the readers did not start"
    time.sleep(1)

    stopping_at = time.monotonic()
    cluster.stop()
    # While the database is down: every page answers 503 with the retry page, and a 签收
    # the clerk tries is refused and saves nothing.
    status, page = clerk.request("GET", "/work/")
    assert status == 503
    assert "数据库暂时无法连接" in page
    status, _ = clerk.request("POST", f"/work/assignments/{first}/accept", {})
    assert status == 503
    health = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    health.request("GET", "/healthz")
    assert health.getresponse().status == 503
    time.sleep(2)

    cluster.start()
    up_at = time.monotonic()
    assert wait_for(lambda: clerk.request("GET", "/work/")[0] == 200, timeout=30)
    recovered_in = time.monotonic() - up_at
    time.sleep(2)
    stop.set()
    for thread in readers:
        thread.join(timeout=30)

    # Every request got an answer: 200 before and after, 503 during; never a 500 or a reset.
    statuses = {status for _, status in outcomes}
    assert statuses <= {200, 503}, statuses
    assert {s for t, s in outcomes if t < stopping_at} == {200}
    late = [s for t, s in outcomes if t > up_at + recovered_in + 1]
    assert late and set(late) == {200}
    refused = sum(1 for _, s in outcomes if s == 503)
    print(f"requests {len(outcomes)}, 503 while down {refused}, recovered in {recovered_in:.1f}s")

    # The refused 签收 left nothing behind; done again now, it happens exactly once.
    status, _ = clerk.request("POST", f"/work/assignments/{first}/accept", {})
    assert status == 302
    out = manage(
        env,
        "shell",
        "-c",
        "from workflow.models import Assignment, TransitionLog; "
        f"a = Assignment.objects.get(pk={first}); b = Assignment.objects.get(pk={second}); "
        "print('STATE', a.state, b.state, "
        f"TransitionLog.objects.filter(object_id={first}, transition='accept').count())",
    )
    assert re.search(r"STATE (\w+) (\w+) (\d+)", out).groups() == ("accepted", "pending", "1")
