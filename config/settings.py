"""Settings, read from the environment (django-environ). Defaults give the embedded mode:
SQLite in var/, tasks run in-process, DEBUG on. Production sets SECRET_KEY, DATABASE_URL,
REDIS_URL, DEBUG=false and ALLOWED_HOSTS."""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab  # season (issue 16): the daily run at 06:30

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env(
    "SECRET_KEY", default="embedded-mode-insecure-key-change-me" if DEBUG else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Served over HTTPS (behind the office's web server) unless HTTPS=false is set explicitly for an
# intranet that only has HTTP. Secure cookies, redirect, and HSTS when HSTS_SECONDS is given.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files (closed networks)
    # django-fsm-log stays (issue 12): its StateLog rows are written by the FSM library itself for
    # every @transition, including one run outside our services (the admin, a shell, a data
    # migration) — a technical cross-check of the state column, shown to administrators only
    # (case admin inline). The case history users read is CaseEvent, written only through
    # requests_app/history.py; the two are not merged and nothing reads StateLog for a rule.
    "django_fsm_log",
    "django_htmx",
    "agencies",
    "workcalendar",
    "periods",  # issue 12: published-year lock, below requests_app
    "requests_app",
    "reporting",
    "letters",
    "audits",
    "accounts",
    "office",
    "security",
    "documents",
    "notifications",
    "portal",
    "season",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.SessionIdleTimeoutMiddleware",
    "config.middleware.SecondFactorRequiredMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login: django-axes counts failures by user name and by client address (common/net.py); at
# LOGIN_FAILURE_LIMIT either one is locked for LOGIN_COOLOFF_MINUTES, even with the right
# password. Locks and unlocks are logged (accounts/signals.py); administrators unlock in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "common.net.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # our own log lines (accounts/signals.py) say what matters

# Second factor (TOTP, django-otp): optional per user; once a user has enrolled, login asks for
# the code. OTP_REQUIRED_FOR_ROLES (e.g. "administrator,approver") makes it compulsory for them.
OTP_REQUIRED_FOR_ROLES = env.list("OTP_REQUIRED_FOR_ROLES", default=[])
OTP_TOTP_ISSUER = "依申请公开办理系统"

# Sessions last a working day at most and end after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=8) * 3600
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# API tokens expire API_TOKEN_HOURS after they were issued; POST /api/v1/auth/token/rotate/.
API_TOKEN_TTL = dt.timedelta(hours=env.int("API_TOKEN_HOURS", default=8))

# Content-Security-Policy (django-csp): no inline scripts; everything from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_handler.api_exception_handler",  # issue 12: one family
}
# The public portal's limits (requests_app/api/throttling.py), exact counters in the cache.
# Each may hold several rates that must all hold, comma-separated.
PORTAL_RATE_ADDRESS = env("PORTAL_THROTTLE", default="30/minute,300/day")
PORTAL_RATE_IDENTITY = env("PORTAL_RATE_IDENTITY", default="5/day")
PORTAL_RATE_GLOBAL = env("PORTAL_RATE_GLOBAL", default="2000/day")
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), e.g. the
# office's web server at 127.0.0.1. Empty: the socket address is the client (common/net.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

SPECTACULAR_SETTINGS = {
    "TITLE": "OGI case management API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api_errors.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OutcomeEnum": "requests_app.outcomes.Outcome",
        "DecisionOutcomeEnum": "requests_app.actions.DECISION_OUTCOMES",
        "DeliveryMethodEnum": "requests_app.models.DeliveryMethod",
    },
}

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# Periodic tasks, defined in one place (run `celery -A config beat`).
CELERY_BEAT_SCHEDULE = {
    "monthly-circulars": {
        "task": "reporting.circulars_produce_due",
        "schedule": 60 * 60 * 6,  # checks four times a day; produces once, on the first working day
    },
    "letters-render-outstanding": {
        "task": "letters.letters_render_outstanding",
        "schedule": 60 * 10,  # issued letters whose file is pending or failed are rendered again
    },
    "letters-issue-outstanding": {
        "task": "letters.letters_issue_outstanding",
        "schedule": 60 * 5,  # issuing asked for but left undone by a dead worker: finished
    },
    # --- season (issue 16): the year-end season's daily run, 1 December – 31 March ---
    "season-daily": {
        "task": "season.season_daily",
        "schedule": crontab(hour=6, minute=30, month_of_year="12,1,2,3"),
    },
}
# Spreadsheet imports (common.tables): checked before anything is parsed.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_RATIO = env.int("IMPORT_MAX_RATIO", default=100)  # unpacked size / file size (.xlsx)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# A letter whose automatic issuing was asked for is taken up by the sweep after this many
# seconds without progress; after LETTER_ISSUE_ATTEMPTS claims it is reported on the case.
LETTER_ISSUE_RETRY_SECONDS = env.int("LETTER_ISSUE_RETRY_SECONDS", default=300)
LETTER_ISSUE_ATTEMPTS = env.int("LETTER_ISSUE_ATTEMPTS", default=3)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- issue 13: portal pages, notifications, reminders -----------------------------------------
# Tracking lookups on the portal page, per client address, on top of PORTAL_RATE_ADDRESS.
PORTAL_RATE_TRACK = env("PORTAL_RATE_TRACK", default="10/minute,60/day")
# E-mail: EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…); without it mail is written as
# files into var/mail/ so that `make run` needs no mail server.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ogi@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# SMS to applicants through a gateway class with send(phone, text); the default only logs.
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.LoggingSmsBackend")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# Reminders: a handler's digest lists cases due within this many working days (and overdue);
# a case overdue by ESCALATION_OVERDUE_DAYS working days is escalated to the supervisors.
REMINDER_DUE_SOON_DAYS = env.int("REMINDER_DUE_SOON_DAYS", default=3)
ESCALATION_OVERDUE_DAYS = env.int("ESCALATION_OVERDUE_DAYS", default=3)
CELERY_BEAT_SCHEDULE["notifications-morning-reminders"] = {
    "task": "notifications.morning_reminders",
    "schedule": crontab(hour=8, minute=0),  # sends only on working days (work calendar)
}
CELERY_BEAT_SCHEDULE["notifications-retry-failed"] = {
    "task": "notifications.retry_failed",
    "schedule": 60 * 15,
}
# --- end issue 13 -------------------------------------------------------------------------------

# Test runs use a fast hasher.
if env.bool("FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    # Locks, unlocks, second-factor failures and reveals of personal data: kept at INFO.
    "loggers": {"ogi.security": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- Security log, file integrity, backups (issue 18; security/, deploy/README.md) ------------
# The request's who/where for events recorded in services, and refusals kept past a rollback.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "security.context.SecurityContextMiddleware",
)
# Every security event is also appended here as one JSON line (for the office's log collector).
SECURITY_LOG_FILE = Path(env("SECURITY_LOG_FILE", default=str(VAR_DIR / "log" / "security.jsonl")))
# 网络安全法 第二十一条: network logs are kept at least six months; purge refuses younger rows.
SECURITY_LOG_MIN_RETENTION_MONTHS = 6
# Issued letters' files are checked against the SHA-256 frozen at issue, daily.
CELERY_BEAT_SCHEDULE["letters-integrity-sweep"] = {
    "task": "letters.letters_integrity_sweep",
    "schedule": 60 * 60 * 24,
}
# `manage.py backup` from beat (off by default; cron is the alternative, deploy/README.md).
BACKUP_ENABLED = env.bool("BACKUP_ENABLED", default=False)
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=12)
if BACKUP_ENABLED:
    CELERY_BEAT_SCHEDULE["security-backup"] = {
        "task": "security.backup_run",
        "schedule": 60 * 60 * 24,
    }
