"""HTTP throughput of the clerk's inbox under load: gunicorn with several workers on loopback,
client threads signed in as the largest unit's clerk, a bounded run. The floor is a static
file from the same server (the cheapest answer the stack gives), measured the same way.

    DATABASE_URL=postgres://…/banli_bench python -m bench.http_load [seconds] [threads]
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402
from django.db.models import Count  # noqa: E402

from proposals.models import User  # noqa: E402
from workflow.models import Assignment, UnitMembership  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clerk_session():
    unit_id = (
        Assignment.objects.values("unit_id").annotate(n=Count("id")).order_by("-n")[0]["unit_id"]
    )
    clerk = User.objects.get(
        pk=UnitMembership.objects.filter(unit_id=unit_id, role="clerk").values("user_id")[:1]
    )
    session = SessionStore()
    session[SESSION_KEY] = str(clerk.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def load(port, path, cookie, seconds, threads):
    """Requests from `threads` clients for `seconds`; each request on a new connection, as a
    browser behind a proxy that does not pool would."""
    latencies, failures, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def client():
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                connection.close()
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    failures[0] += 1

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    ordered = sorted(latencies) or [0]
    return {
        "requests": len(latencies),
        "failures": failures[0],
        "per_second": round(len(latencies) / seconds, 1),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def worker_rss_mb(master_pid):
    """Resident memory of each gunicorn worker (the master's children), from /proc."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def run(seconds=15, threads=8):
    port, cookie = free_port(), clerk_session()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": "localhost,127.0.0.1"},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        load(port, "/work/", cookie, min(2, seconds), threads)  # warm every worker
        inbox = load(port, "/work/", cookie, seconds, threads)
        floor = load(port, staticfiles_storage.url("css/banli.css"), cookie, seconds, threads)
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "workers": WORKERS,
        "threads": threads,
        "seconds": seconds,
        "inbox": inbox,
        "static_floor": floor,
        "ratio": round(floor["per_second"] / inbox["per_second"], 1)
        if inbox["per_second"]
        else None,
        "worker_rss_mb": rss,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    json.dump(run(*args), sys.stdout, indent=1)
    print()
