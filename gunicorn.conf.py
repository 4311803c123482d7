"""gunicorn settings for serving NETS in production.

    NETS_CONFIG=production DATABASE_URL=... SECRET_KEY=... REDIS_URL=... \\
        .venv/bin/gunicorn -c gunicorn.conf.py

Every setting can be changed from the environment (``GUNICORN_*`` below) or on the
command line; the bench and the fault tests use this same file.

- Sync workers, ``2 x cores + 1`` of them: each request is short and waits mostly on
  PostgreSQL, and a reverse proxy (nginx) in front buffers slow phone connections,
  so a worker is never held by a slow client. ``GUNICORN_THREADS`` > 1 switches to
  the threaded worker.
- The app is loaded once in the master (``preload_app``) and forked: a worker that
  dies (even ``kill -9``) is replaced in milliseconds, with no re-import. Database
  pools are made fresh in each worker after the fork (``post_fork``), so no two
  processes ever share a connection.
- ``max_requests`` recycles workers now and then, bounding any slow leak.
- The access log leaves out the client's address and user agent (learners are
  anonymous; the rate limiter sees addresses, the logs do not), and survey tokens in
  ``/s/<token>`` paths are redacted by the app's log filter
  (``nets_app.services.tokens``).
- In production the master refuses to start without ``DATABASE_URL`` and
  ``REDIS_URL``: without Redis each worker would keep its own rate-limit counters,
  multiplying every limit by the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "nets_app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk (containers often have slow /tmp)

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# time, request line, status, bytes, milliseconds: no client address, no user agent.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def on_starting(server) -> None:
    if os.environ.get("NETS_CONFIG") != "production":
        return
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"NETS_CONFIG=production needs {' and '.join(missing)} in the environment "
            "(PostgreSQL for the data; Redis so that every worker shares the rate limits)."
        )


def post_fork(server, worker) -> None:
    """Start each worker with empty database pools (connections must not cross a fork)."""
    from nets_app.extensions import db

    app = worker.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not the NETS app (e.g. bench/ceiling.py's minimal app)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
