"""shopapp/settings.py read in a fresh interpreter with a clean environment, as a server starts.

Settings are module-level code that runs once per process, so each case runs `python -c` with only
the variables it names (plus PATH): nothing from this test process or the developer's shell leaks in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
try:
    db = settings.DATABASES["default"]
    print(json.dumps({
        "DEBUG": settings.DEBUG,
        "db_engine": db["ENGINE"],
        "db_name": str(db["NAME"]),
        "db_host": db.get("HOST", ""),
        "cache_backend": settings.CACHES["default"]["BACKEND"],
        "cache_location": settings.CACHES["default"]["LOCATION"],
        "celery_broker": settings.CELERY_BROKER_URL,
        "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "email_backend": settings.EMAIL_BACKEND,
        "field_keys": settings.FIELD_ENCRYPTION_KEYS,
        "demo_enabled": settings.DEMO_ENABLED,
        "allowed_hosts": settings.ALLOWED_HOSTS,
        "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    }))
except ImproperlyConfigured as exc:
    print(json.dumps({"error": "ImproperlyConfigured", "message": str(exc)}))
"""


def load_settings(tmp_path: Path, **environ: str) -> dict[str, Any]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "shopapp.settings",
        "VAR_DIR": str(tmp_path / "var"),
        **environ,
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def production_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": "s" * 50,
        "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        "LOOKUP_HASH_KEY": "l" * 44,
    }


def test_defaults_run_the_demo_on_embedded_parts(tmp_path):
    # given no environment at all, when settings load
    loaded = load_settings(tmp_path)
    # then: debug, SQLite under VAR_DIR, eager Celery, local memory cache, console email
    assert loaded["DEBUG"] is True
    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "var" / "db.sqlite3")
    assert loaded["celery_broker"] == "memory://"
    assert loaded["celery_eager"] is True
    assert loaded["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["demo_enabled"] is True
    assert len(loaded["field_keys"]) == 1


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY"])
def test_production_refuses_to_start_without_each_secret(tmp_path, missing):
    # given DEBUG off and every secret but one
    secrets = production_secrets()
    del secrets[missing]
    # when settings load
    loaded = load_settings(tmp_path, DEBUG="0", **secrets)
    # then they stop with ImproperlyConfigured naming the missing variable
    assert loaded == {
        "error": "ImproperlyConfigured",
        "message": f"Set the {missing} environment variable: it is required when DEBUG is off.",
    }


def test_production_with_every_secret_is_locked_down(tmp_path):
    # given DEBUG off and every secret set
    secrets = production_secrets()
    loaded = load_settings(tmp_path, DEBUG="0", **secrets)
    # then the demo is off, cookies are secure, no host is allowed by default, both keys load
    assert loaded["DEBUG"] is False
    assert loaded["demo_enabled"] is False
    assert loaded["secure_cookies"] == [True, True]
    assert loaded["allowed_hosts"] == []
    assert loaded["field_keys"] == secrets["FIELD_ENCRYPTION_KEYS"].split(",")


def test_database_url_selects_postgresql(tmp_path):
    loaded = load_settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/shopapp")
    assert loaded["db_engine"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "shopapp"
    assert loaded["db_host"] == "127.0.0.1"


def test_redis_url_selects_the_redis_cache(tmp_path):
    loaded = load_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/1")
    assert loaded["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["cache_location"] == "redis://127.0.0.1:6379/1"
    # a cache alone does not make tasks asynchronous: that takes a broker
    assert loaded["celery_eager"] is True


def test_a_real_broker_turns_eager_celery_off(tmp_path):
    loaded = load_settings(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert loaded["celery_broker"] == "redis://127.0.0.1:6379/0"
    assert loaded["celery_eager"] is False
    # and the explicit switch wins, as the test suite uses it
    forced = load_settings(
        tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CELERY_TASK_ALWAYS_EAGER="1"
    )
    assert forced["celery_eager"] is True
