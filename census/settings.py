"""Settings for Census Progress, read from environment variables only.

Unset DATABASE_URL -> a SQLite file beside manage.py; unset REDIS_URL -> Celery
runs tasks eagerly in-process and the cache is local memory. That is the
embedded mode `make run` uses. Production sets DJANGO_ENV=production and must
provide SECRET_KEY and ALLOWED_HOSTS, or the process refuses to start.
"""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

# Keys anyone can read in this repository: they sign sessions and password-reset links on a laptop only.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 -- public on purpose
PUBLIC_SECRET_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string"}

if PRODUCTION:
    # A production process without its own key or host list is a misconfiguration,
    # never something to paper over with a default.
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when DJANGO_ENV=production")
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
if not DEBUG and SECRET_KEY in PUBLIC_SECRET_KEYS:
    # DEBUG=False is how a server runs, whatever DJANGO_ENV says: with a key from this repository anyone
    # could forge a session cookie or a password-reset link, so the process refuses to start instead.
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a secret value of your own when DEBUG is False "
        "(the default and the .env.example placeholder are public); "
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "census",
    "regions",
    "reports",
]

MIDDLEWARE = [
    # First: a body over the limit is refused from its Content-Length before anything below reads it.
    "census.request_limits.RequestSizeLimitMiddleware",
    "census.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, the signed-in account read from the cache instead of a query per request.
    "census.sessions.CachedAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "census.sessions.IdleTimeoutMiddleware",
    "census.security.ForbiddenLogMiddleware",
    "census.lockout.SignInRateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "census.urls"
WSGI_APPLICATION = "census.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "census.languages.language_links",
                "census.views.navigation.entry_navigation",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections are the single largest factor in page speed here
    # (about 4x on a snapshot read); health checks drop a connection that died.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite: wait for a writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Redis is a helper, never a dependency of a save: stopped or hung (SIGSTOP, a full host, a dropped
# connection), no request waits on it longer than this per step (connect, then each answer) ...
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
# ... and after it failed once, a process leaves it alone this long, so only one request in that time
# pays the timeout (census/redis_outage.py). The outbox sweep publishes the coverage work owed meanwhile.
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=10.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, answering as an empty cache (nothing kept) while Redis cannot be reached.
            "BACKEND": "census.redis_outage.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # A signed-in page reads its session from Redis, not PostgreSQL (a query per request); the database keeps
    # every session too, so a Redis restart signs nobody out and census/sessions.py can still list and end them.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"
    # Embedded mode: no broker, so every task runs in-process at .delay().
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A job is acknowledged only once it finished, and a worker that dies mid-job
# hands it back to the queue: recompute jobs are idempotent, so a rerun is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest hard time limit (the nightly recompute, 3300 s), so a
    # running job is never redelivered while it still runs.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3900),
    # Without these a publish to a hung Redis waits forever: the web request that saved a count would
    # answer only when gunicorn kills it, after its commit. (A worker's BRPOP waits in poll(), not in a
    # read, so the short read timeout does not cut its long polls.)
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "retry_on_timeout": False,
}
# A publish gives up after one timeout, without retrying: what it carried is in the outbox already, and a
# retry against a hung Redis cost three timeouts where one does. (A connection that went stale when Redis
# restarted is replaced without a retry: redis-py checks it before use.)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Almaty"
CELERY_BEAT_SCHEDULE = {
    "nightly-full-recompute": {
        "task": "reports.tasks.recompute_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "nightly-housekeeping": {
        # Expired idempotency answers, uploads, sessions and old sign-in records (census/housekeeping.py).
        "task": "census.tasks.remove_expired_records_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "drain-recompute-outbox": {
        # Picks up work whose on-commit publish failed (broker down at the time).
        "task": "reports.tasks.drain_recompute_outbox_task",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
}

# --- Auth, sessions, lockout --------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in limits, in tiers (census/lockout.py decides; django-axes keeps the failed attempts):
# - one username from one address: AXES_FAILURE_LIMIT failures lock that pair for AXES_COOLOFF_HOURS;
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "census.lockout.TieredLockoutHandler"
AXES_LOCKOUT_CALLABLE = "census.lockout.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# - one address, any usernames: this many failures within AXES_COOLOFF_HOURS lock the address (spraying);
CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)
# - one username, any addresses: this many failures pause it for CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES after the
#   last one, except from an address it signed in from within CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS (0: no exception);
CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT = env.int("CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT", default=10)
CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES = env.int("CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES", default=15)
CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS = env.int("CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS", default=30)
# Sign-in records (addresses, browsers, failures) are personal data: removed nightly after this many days
# (never fewer than CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS, which reads them).
CENSUS_SIGNIN_LOG_DAYS = env.int("CENSUS_SIGNIN_LOG_DAYS", default=90)
# - sign-in POSTs per address, counted in the cache before any password is hashed ("N/second|minute|hour").
CENSUS_SIGNIN_RATE = env.str("CENSUS_SIGNIN_RATE", default="10/minute")
# The client's address: REMOTE_ADDR, never a client-written X-Forwarded-For, unless this many reverse proxies
# stand in front (then the address the outermost one saw). Used by lockouts, the API throttle and the security log.
CENSUS_TRUSTED_PROXIES = env.int("CENSUS_TRUSTED_PROXIES", default=0)
# ...and only when the request comes from one of these (addresses or CIDR networks, comma-separated): with
# gunicorn reachable directly, anyone else could name their own address. Loopback: nginx on the same host.
CENSUS_PROXY_ADDRESSES = env.list("CENSUS_PROXY_ADDRESSES", default=["127.0.0.0/8", "::1"])
for _proxy in CENSUS_PROXY_ADDRESSES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CENSUS_PROXY_ADDRESSES: {_proxy!r} is not an address or network") from exc
AXES_CLIENT_IP_CALLABLE = "census.security.client_ip"
LOGIN_URL = "entry:login"
LOGIN_REDIRECT_URL = "entry:start"
LOGOUT_REDIRECT_URL = "entry:login"
# Signed out after this long without a request (census/sessions.py); 0 turns it off.
CENSUS_IDLE_TIMEOUT = env.int("CENSUS_IDLE_TIMEOUT_MINUTES", default=30) * 60
# Signed out this long after signing in, however active (census/sessions.py); 0 turns it off.
CENSUS_ABSOLUTE_TIMEOUT = env.int("CENSUS_ABSOLUTE_TIMEOUT_HOURS", default=12) * 3600

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Languages and formats ----------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
# Django's own Kazakh catalogs are incomplete (missing strings fall back to Russian): locale/django-kk fills
# those gaps. makemessages writes only to the first path, so the project's catalogs stay first.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django-kk"]
# Django ships no formats for kk: ours give decimal comma and space grouping.
FORMAT_MODULE_PATH = ["census.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (make run, tests), whitenoise serves straight from the app and static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Request bodies -------------------------------------------------------------
# The largest body a page or the API takes (census/request_limits.py refuses a larger Content-Length unread; the
# API's JSON parser counts what it reads). Spreadsheet uploads have their own CENSUS_IMPORT_MAX_BYTES.
# ops/nginx.conf sets the same limits (client_max_body_size) in front.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    # API clients send "Authorization: Token <key>"; people logged in to the site use their session (with CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "census.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, read with the body limit below and a clean 400 for nesting too deep (census/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["census.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["census.api.authentication.ApiRateThrottle"],
    # Per token (or person; per address when anonymous). A load test sets them high through the environment.
    "DEFAULT_THROTTLE_RATES": {
        "api_read": env.str("API_THROTTLE_READ", default="1200/minute"),
        "api_write": env.str("API_THROTTLE_WRITE", default="120/minute"),
        "api_anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    },
    "EXCEPTION_HANDLER": "census.api.base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Census Progress API",
    "DESCRIPTION": (
        "Figures of the population census for the regional communications service: areas, daily counts, "
        "coverage, highlights and a ready briefing text. Authenticate with `Authorization: Token <key>`. "
        "Errors always have the shape {status, code, detail, errors}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "reports.models.CoverageSnapshot.Level",
        "StatusEnum": "census.models.DistrictStatus.Status",
        "LanguageEnum": "census.api.fields.LANGUAGE_CODES",
    },
}

# --- Census -------------------------------------------------------------------
# The demo data file that `manage.py load_demo` reads (a copy of the shared one).
CENSUS_DEMO_DATA = BASE_DIR / "census" / "demo" / "wko-2021.json"
# The national coverage while some regions do not report yet: False shows it labelled as over the reporting
# regions ("1 of 17 regions reporting"), True withholds it until every region reports.
CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE = env.bool("CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE", default=False)
# Spreadsheet imports (census/importing.py): checked before a file is parsed.
CENSUS_IMPORT_MAX_BYTES = env.int("CENSUS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
CENSUS_IMPORT_MAX_ROWS = env.int("CENSUS_IMPORT_MAX_ROWS", default=10_000)
CENSUS_IMPORT_MAX_XLSX_UNCOMPRESSED = env.int("CENSUS_IMPORT_MAX_XLSX_UNCOMPRESSED", default=50 * 1024 * 1024)
CENSUS_IMPORT_MAX_XLSX_ENTRIES = env.int("CENSUS_IMPORT_MAX_XLSX_ENTRIES", default=200)
# Plausibility of entered counts (census/plausibility.py), in percent of the district's baseline:
# refused unless confirmed with a reason when the district's total would pass TOTAL_PERCENT or one day's
# figure DAY_PERCENT; saved with a warning when a day passes UNUSUAL_DAY_PERCENT, or JUMP_FACTOR times the
# previous week's daily average once a channel has been open FIRST_WEEK_DAYS days.
CENSUS_PLAUSIBILITY_TOTAL_PERCENT = env.float("CENSUS_PLAUSIBILITY_TOTAL_PERCENT", default=110)
CENSUS_PLAUSIBILITY_DAY_PERCENT = env.float("CENSUS_PLAUSIBILITY_DAY_PERCENT", default=50)
CENSUS_PLAUSIBILITY_UNUSUAL_DAY_PERCENT = env.float("CENSUS_PLAUSIBILITY_UNUSUAL_DAY_PERCENT", default=5)
CENSUS_PLAUSIBILITY_JUMP_FACTOR = env.float("CENSUS_PLAUSIBILITY_JUMP_FACTOR", default=4)
CENSUS_PLAUSIBILITY_FIRST_WEEK_DAYS = env.int("CENSUS_PLAUSIBILITY_FIRST_WEEK_DAYS", default=7)
# Field staffing (reports.coverage staffing arithmetic): a role is understaffed on a day when fewer than this
# percentage of its plan are on duty.
CENSUS_STAFFING_UNDERSTAFFED_PERCENT = env.int("CENSUS_STAFFING_UNDERSTAFFED_PERCENT", default=90)
# The planned work of one interviewer over the WHOLE door-to-door phase, in persons (the 2021 field plans:
# about 830). Until 3 days of productivity are measured, the forecast spreads it evenly over the phase's
# planned days (830 over 30 days: about 27.7 persons per interviewer per day).
CENSUS_STAFFING_NORM_PERSONS_PER_INTERVIEWER = env.int("CENSUS_STAFFING_NORM_PERSONS_PER_INTERVIEWER", default=830)
# An uploaded file waits this long in the cache between its preview and "Apply".
CENSUS_IMPORT_KEEP_SECONDS = env.int("CENSUS_IMPORT_KEEP_SECONDS", default=30 * 60)

# --- Logging ------------------------------------------------------------------
# The security log (census/security.py) writes whole lines with their own UTC time: on the console marked
# with the logger's name, and with SECURITY_LOG_FILE also to that file (reopened when logrotate moves it).
SECURITY_LOG_FILE = env.str("SECURITY_LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "security_console": {"format": "%(name)s %(message)s"},
        "security_file": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security_console": {"class": "logging.StreamHandler", "formatter": "security_console"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: only its warnings say something.
        "weasyprint": {"level": "WARNING"},
        # INFO whatever LOG_LEVEL says: these events are the record, not chatter.
        "census.security": {
            "handlers": ["security_console", "security_file"] if SECURITY_LOG_FILE else ["security_console"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
if SECURITY_LOG_FILE:
    LOGGING["handlers"]["security_file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": SECURITY_LOG_FILE,
        "formatter": "security_file",
    }
