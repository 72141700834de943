"""Settings of the HTTP benchmark server: the real settings, the public rate limit lifted (every request
comes from one loopback address) and one extra URL, the minimal reference view."""

from phongdich.settings import *  # noqa: F403

DECLARATION_PUBLIC_RATE = (10**9, 60)
ROOT_URLCONF = "benchmarks.bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
