"""Gunicorn's settings for a deployment: `gunicorn -c config/gunicorn.conf.py config.wsgi:application`.

Every value can be overridden from the environment (the MPS_GUNICORN_* variables below) or gunicorn's own
GUNICORN_CMD_ARGS. Threads rather than more processes: a page spends most of its time waiting for PostgreSQL,
and each process holds the translation catalogues and the rule engine in memory once.
"""

import multiprocessing
import os

bind = os.environ.get("MPS_GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MPS_GUNICORN_WORKERS", str(min(multiprocessing.cpu_count() * 2 + 1, 9))))
worker_class = "gthread"
threads = int(os.environ.get("MPS_GUNICORN_THREADS", "4"))
# A PDF report or an export of a county can take a while; a request longer than this is a bug to look at.
timeout = int(os.environ.get("MPS_GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then so that a slow leak never reaches the machine's memory limit.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy (nginx, a load balancer) sets X-Forwarded-Proto; Django's SECURE_PROXY_SSL_HEADER reads it.
forwarded_allow_ips = os.environ.get("MPS_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("MPS_GUNICORN_LOG_LEVEL", "info")
# One JSON object per request, like the application's own log lines (no query strings: they can hold names).
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s", "agent": "%(a)s"}'
)
proc_name = "mps-web"
