"""Settings for every environment: read from the environment, with safe local defaults.

`production.py` only tightens what is here; nothing exists only in production.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Everything the embedded default writes (SQLite file, broker queue, beat schedule, media)
# lives under var/, so a fresh clone needs no server and a `rm -r var` starts over.
VAR_DIR = Path(env("BANLI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key():
    # A key made once per checkout: never a constant in the repository, and stable across
    # restarts so sessions survive. Production must set SECRET_KEY (see production.py).
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "config.apps.AxesConfig",  # axes under a Chinese name
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "proposals",
    "workflow",
    "responses",
    # Above responses: what serves every app (they import the apps below, never each other).
    "api",
    "reports",
    "search",
    "demo",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "config.middleware.RequestSizeMiddleware",
    "config.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "workflow.roles.RolesMiddleware",
    "portal.middleware.ProposerOnlyMiddleware",  # a proposer's session sees only /me/
    # Last, as django-axes asks: it turns a lockout into its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "workflow.roles.roles",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/ (the embedded default).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'banli.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# The largest request body accepted at all (the letter import takes 20 MB of files in one
# upload); larger ones are refused from their declared length before being read.
MAX_REQUEST_BYTES = int(env("MAX_REQUEST_MB", "25")) * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "proposals.User"
# django-axes first: after AXES_FAILURE_LIMIT wrong passwords for a user from one address,
# logins are refused for AXES_COOLOFF_TIME hours, and the page says so.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "workflow.auth.Backend"]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
# How many reverse proxies stand in front of Banli (0: none); see config/client_ip.py.
TRUSTED_PROXIES = int(env("TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Not on the password alone: wrong second-factor codes count as failures too, and a right
# password between rounds of them must not wipe the count. The count is reset once the whole
# sign-in is done (config.account_views.sign_in_complete).
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

# Content-Security-Policy: everything from this site, no inline script or style anywhere.
# The API: session (the browser) or token (scripts) authentication, pages of 50, refusals as
# 409, an OpenAPI 3 description with Swagger UI served from the vendored sidecar assets.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.views.refusals",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# An API token works this many days from its issue; then its owner issues a new one.
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "90"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Banli 建议提案办理 API",
    "DESCRIPTION": "建议提案、交办、答复的查询与办理；权限与页面相同。令牌在 /api/token/ 获取。",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProposalStateEnum": "proposals.models.ProposalState",
        "AssignmentStateEnum": "workflow.models.AssignmentState",
        "LetterStateEnum": "responses.models.LetterState",
        "RatingEnum": "responses.models.Rating",
        "ProposalKindEnum": "proposals.models.Proposal.Kind",
        "ProposerKindEnum": "proposals.models.Proposer.Kind",
        "ReplyKindEnum": "responses.models.Reply.Kind",
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# ---- Accounts as 等保 level 3 expects ---------------------------------------------------------
# Passwords: at least 12 characters from at least three of lower case, upper case, digits and
# symbols (config/passwords.py says why), checked wherever a password is set.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "config.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "config.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "config.passwords.VarietyValidator", "OPTIONS": {"min_distinct": 8}},
    {"NAME": "config.passwords.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A second factor (TOTP, with single-use recovery codes): required for whoever
# workflow.roles.must_use_second_factor names, available to everyone (config/accounts.py).
# A wrong code waits 1, 2, 4, 8 … seconds per device (django-otp's throttling) and counts
# as a failed login for django-axes.
INSTALLED_APPS += ["django_otp", "config.apps.OTPTOTPConfig", "config.apps.OTPStaticConfig"]
OTP_TOTP_ISSUER = "Banli"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]  # masked in its failure records
# A signed-in session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "30"))
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    "config.accounts.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "config.accounts.SecondFactorMiddleware"
)
# ---- end of accounts ---------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English through the same gettext catalogues.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # dates per language: |date:"DATE_FORMAT"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "banli@localhost")

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/,
# which needs no server: `make run` works on a bare machine.
REDIS_URL = env("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # kombu reads one message per poll: at its default 1 s, the demo's few hundred
        # notices would keep the worker busy for minutes after `make run`
        "polling_interval": 0.2,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "banli")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A request whose side effect cannot be queued (broker down) must not wait long: the
# periodic sweeps re-derive what is missing from the database.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 1}
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "workflow.tasks.beat_heartbeat",
        "schedule": float(env("BANLI_HEARTBEAT_SECONDS", "60")),
    },
    # The statistics page's stored figures follow the verbs within a minute (reports/figures.py).
    "statistics-figures": {
        "task": "reports.tasks.refresh_figures",
        "schedule": float(env("BANLI_FIGURES_SECONDS", "60")),
    },
    "reminder-sweep": {
        "task": "workflow.tasks.sweep_reminders",
        "schedule": float(env("BANLI_SWEEP_SECONDS", "300")),
    },
    # The commitments' ladder: its digests go out with the mail and texts below.
    "commitment-reminder-sweep": {
        "task": "responses.tasks.sweep_commitment_reminders",
        "schedule": float(env("BANLI_SWEEP_SECONDS", "300")),
    },
    "email-digests": {
        "task": "workflow.tasks.send_email_digests",
        "schedule": crontab(hour=8, minute=30),
    },
    "sms-digests": {
        "task": "workflow.tasks.send_sms_digests",
        "schedule": crontab(hour=8, minute=35),
    },
    "waiting-notices": {"task": "workflow.tasks.send_waiting_notices", "schedule": 600.0},
    "close-cosigning": {"task": "workflow.tasks.close_cosigning", "schedule": 600.0},
    "notice-digests": {
        "task": "workflow.tasks.send_notice_digests",
        "schedule": crontab(hour=17, minute=30),
    },
    "redeliver": {"task": "responses.tasks.redeliver", "schedule": 600.0},
    "undelivered-ladder": {
        "task": "responses.tasks.remind_undelivered",
        "schedule": crontab(hour=8, minute=15),
    },
    "close-unanswered": {
        "task": "responses.tasks.close_unanswered",
        "schedule": crontab(hour=1, minute=0),
    },
    "publish-due": {"task": "responses.tasks.publish_due", "schedule": crontab(hour=2, minute=0)},
    # After publish-due: what is left is due later, and its people hear a few days ahead.
    "publication-notices": {
        "task": "responses.tasks.announce_publication_due",
        "schedule": crontab(hour=8, minute=0),
    },
    "verify-audit": {"task": "workflow.tasks.verify_audit", "schedule": crontab(hour=3, minute=0)},
    "calendar-check": {
        "task": "workflow.tasks.check_calendar",
        "schedule": crontab(hour=9, minute=0),
    },
}

# Render and keep each sent letter's PDF and DOCX right after sending (a worker task); when
# off, the first download freezes them. Tests turn it off to stay fast.
FREEZE_LETTERS_AT_SENDING = env_bool("FREEZE_LETTERS_AT_SENDING", True)
SMS_BACKEND = env("SMS_BACKEND", "workflow.sms.FileBackend")

# The address people reach Banli at, for links in mail (feedback links to proposers).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# A proposer's signed feedback link stays valid this long after the reply is sent.
FEEDBACK_LINK_DAYS = int(env("FEEDBACK_LINK_DAYS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
