"""Settings for the whole project, read from the environment.

Defaults serve the embedded demo (SQLite file, eager Celery, console email). Production sets
DATABASE_URL, CELERY_BROKER_URL and REDIS_URL and turns DEBUG off, which makes every secret mandatory.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from celery.schedules import crontab

from shopapp.env import env, secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = secret(
    "SECRET_KEY", debug=DEBUG, dev_default="demo-only-secret-key-not-for-production"
)


def _dev_fernet_key(label: str) -> str:
    digest = hashlib.sha256(f"{label}:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key, then run
# `manage.py rotate_encryption_keys`, then drop the old one).
FIELD_ENCRYPTION_KEYS: list[str] = [
    key.strip()
    for key in secret(
        "FIELD_ENCRYPTION_KEYS", debug=DEBUG, dev_default=_dev_fernet_key("field-encryption")
    ).split(",")
    if key.strip()
]
# Keyed hash for looking customers up by email without storing the address in clear.
LOOKUP_HASH_KEY = secret("LOOKUP_HASH_KEY", debug=DEBUG, dev_default=_dev_fernet_key("lookup"))

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_htmx",
    "shopapp.shops",
    "shopapp.catalog",
    "shopapp.demo",
    "shopapp.adminui",
    "shopapp.languages",
    "personalization.events",
    "personalization.profiles",
    "personalization.privacy",
    "personalization.segments",
    "personalization.decisions",
    "personalization.recommendations",
    "personalization.experiments",
    "personalization.merchandising",
    "personalization.campaigns",
    "personalization.messaging",
    "personalization.ugc",
    "personalization.preferences",
    "personalization.audiences",
    "personalization.evaluation",
    "integrations.shopify",
    "integrations.woocommerce",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions: a language chosen once (Shopify's `locale`, the demo's `lang`) is remembered.
    "shopapp.languages.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees responses first: embedded (Shopify admin) pages may be framed by the admin.
    "integrations.shopify.embedded.EmbeddedAppMiddleware",
]

ROOT_URLCONF = "shopapp.urls"
WSGI_APPLICATION = "shopapp.wsgi.application"
ASGI_APPLICATION = "shopapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "integrations.shopify.embedded.embedded_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while an import or a worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shopapp"}
    )
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a real broker every task runs inline: the demo needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "shopapp.demo.tasks.*": {"queue": "sync"},
    "shopapp.catalog.tasks.*": {"queue": "sync"},
    "personalization.events.tasks.*": {"queue": "events"},
    "personalization.profiles.tasks.*": {"queue": "training"},
    "personalization.recommendations.tasks.*": {"queue": "training"},
    "personalization.evaluation.tasks.*": {"queue": "training"},
    "personalization.messaging.tasks.*": {"queue": "messaging"},
    "integrations.shopify.tasks.*": {"queue": "sync"},
    "integrations.woocommerce.tasks.*": {"queue": "sync"},
}
CELERY_BEAT_SCHEDULE = {
    # Per-segment product feeds follow the engine's current picks for ad platforms' daily fetch.
    "audiences-feeds-regenerate": {
        "task": "personalization.audiences.tasks.feeds_regenerate_all",
        "schedule": crontab(hour="*/6", minute=20),
    },
    # Behavioural email: who is due (abandoned cart, browse, post-purchase, win-back).
    "messaging-scan": {
        "task": "personalization.messaging.tasks.messages_scan_all",
        "schedule": 300.0,
    },
    # Profiles and segments from scratch each night; live updates cover the day in between.
    "profiles-recompute-nightly": {
        "task": "personalization.profiles.tasks.profiles_recompute_all",
        "schedule": crontab(hour=3, minute=15),
    },
    # Experiments with automatic rollout: roll out decided winners after each day's look.
    "experiments-auto-rollout": {
        "task": "personalization.experiments.tasks.experiments_auto_rollout",
        "schedule": crontab(hour=0, minute=30),
    },
    # A safety net: a drain is normally scheduled by the traffic itself.
    "events-drain-minutely": {
        "task": "personalization.events.tasks.events_drain",
        "schedule": 60.0,
    },
    # Shopify syncs whose worker died (heartbeat stale) resume from their last finished phase.
    "shopify-sync-repair": {
        "task": "integrations.shopify.tasks.shopify_sync_repair",
        "schedule": 300.0,
    },
    # WooCommerce: resume stalled syncs, re-enable webhooks a store disabled, catch up on what
    # webhooks missed, sweep ids for hard deletes, verify keys whose merchant never came back.
    "woocommerce-sync-repair": {
        "task": "integrations.woocommerce.tasks.woocommerce_sync_repair",
        "schedule": 300.0,
    },
    "woocommerce-webhooks-check": {
        "task": "integrations.woocommerce.tasks.woocommerce_webhooks_check_all",
        "schedule": 900.0,
    },
    "woocommerce-catch-up": {
        "task": "integrations.woocommerce.tasks.woocommerce_catch_up_all",
        "schedule": 3600.0,
    },
    "woocommerce-sweep-nightly": {
        "task": "integrations.woocommerce.tasks.woocommerce_sweep_all",
        "schedule": crontab(hour=2, minute=40),
    },
    # Each shop's retention window: old events and sessions, long-unseen anonymous visitors.
    "privacy-retention-nightly": {
        "task": "personalization.privacy.tasks.privacy_retention_all",
        "schedule": crontab(hour=4, minute=5),
    },
    "woocommerce-connections-verify": {
        "task": "integrations.woocommerce.tasks.woocommerce_connections_verify_pending",
        "schedule": 120.0,
    },
}

# The always-on holdout of a shop that never chose its own size (visitors who see no
# personalization, so incremental revenue can be measured): per cent of visitors.
EXPERIMENTS_HOLDOUT_DEFAULT_PERCENT = env.float("EXPERIMENTS_HOLDOUT_DEFAULT_PERCENT", default=5.0)

EVENTS_RATE_LIMITS = {
    "visitor_batches_per_minute": env.int("EVENTS_VISITOR_BATCHES_PER_MINUTE", default=120),
    "shop_batches_per_10s": env.int("EVENTS_SHOP_BATCHES_PER_10S", default=20_000),
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shopapp@localhost")

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LANGUAGE_CODE = "en"
# Native names: a merchant looks for their own language in the list. See docs/i18n.md.
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("da", "Dansk"),
    ("hu", "Magyar"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the source folders when nobody ran collectstatic (the demo, tests).
WHITENOISE_USE_FINDERS = True

# User-generated content files (personalization/ugc/storage.py): a local folder by default; any
# Django storage backend (S3-compatible through django-storages) by configuration.
UGC_MEDIA_ROOT = Path(env.str("UGC_MEDIA_ROOT", default=str(VAR_DIR / "media" / "ugc")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "ugc": {
        "BACKEND": env.str(
            "UGC_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "UGC_STORAGE_OPTIONS",
            default={"location": str(UGC_MEDIA_ROOT), "base_url": "/ugc-media/"},
        ),
    },
}

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["shopapp.shops.permissions.HasShop"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "shopapp.shops.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

# The demo storefront and its admin sign-in exist only when this is on.
DEMO_ENABLED = env.bool("DEMO_ENABLED", default=DEBUG)
DEMO_SHOP_DOMAIN = "uci-gifts-demo.myshopify.com"
DEMO_DATA_PATH = Path(
    env.str(
        "DEMO_DATA_PATH", default=str(BASE_DIR / "shopapp" / "demo" / "data" / "uci_sample.csv.gz")
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
LOGIN_URL = "/app/sign-in/"

# Shopify app (integrations/shopify). The client id is public; the client secret signs webhooks,
# app-proxy requests and session tokens. SHOPIFY_OLD_API_SECRET is accepted too while a secret is
# rotated. SHOPIFY_SHOP_URL is where "https://{shop}" is reached: only tests point it elsewhere.
SHOPIFY_API_KEY = env.str("SHOPIFY_API_KEY", default="shopapp-dev-client-id")
SHOPIFY_API_SECRET = env.str(
    "SHOPIFY_API_SECRET", default="shopapp-dev-shopify-secret" if DEBUG else ""
)
SHOPIFY_OLD_API_SECRET = env.str("SHOPIFY_OLD_API_SECRET", default="")
SHOPIFY_API_VERSION = env.str("SHOPIFY_API_VERSION", default="2026-10")
# Coupon clients by platform (personalization never imports an integration): dotted paths to a
# factory taking the shop.
COUPON_CLIENTS = {
    "shopify": "integrations.shopify.coupons.coupons_for",
    "woocommerce": "integrations.woocommerce.coupons.coupons_for",
}
SHOPIFY_SHOP_URL = env.str("SHOPIFY_SHOP_URL", default="https://{shop}")
SHOPIFY_APP_URL = env.str("SHOPIFY_APP_URL", default="http://127.0.0.1:8000")
# The admin's session-token authenticator (shopapp.shops.auth) asks this integration to verify.
SHOP_SESSION_TOKEN_VERIFIER = "integrations.shopify.auth.session_token_credential"

# WooCommerce (integrations/woocommerce). The app's public https base URL: stores post their keys
# (wc-auth callback_url must be https) and webhooks there. The app name is what the merchant sees
# on the store's "grant access" page.
WOOCOMMERCE_APP_URL = env.str("WOOCOMMERCE_APP_URL", default=SHOPIFY_APP_URL)
WOOCOMMERCE_APP_NAME = env.str("WOOCOMMERCE_APP_NAME", default="Personalization")
