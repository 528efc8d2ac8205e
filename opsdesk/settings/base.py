"""Settings shared by every environment, read from the environment (12-factor).

Thin modules on top: ``local`` (development, ``make run``), ``test`` and ``production``.
Every variable is listed in ``.env.example``.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "opsdesk.apps.OpsdeskConfig",
    "opsdesk.platform.accounts",
    "opsdesk.analytics.kpis",
    "opsdesk.analytics.dashboards",
    "opsdesk.platform.notifications",
    "opsdesk.analytics.reports",
    "stores",
    "inventory",
    "sales",
    "customers",
    "staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "opsdesk.platform.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opsdesk.platform.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "opsdesk.urls"
WSGI_APPLICATION = "opsdesk.wsgi.application"

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
                "opsdesk.context_processors.opsdesk",
            ],
        },
    },
]

# --- Content-Security-Policy (django-csp; docs/security.md) ------------------------
# On every response: scripts and styles only from our own static files, nothing inline,
# nothing evaluated (htmx is told so too: templates/base.html), no plugins, no framing.
# Violations are reported to our own endpoint (opsdesk/platform/csp.py), which logs them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small icons inside Swagger UI's and the admin's style sheets.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": "/csp-report/",
    },
}
# The one exception, for HTML pages under these prefixes only: DRF's browsable API
# (/api/v1/ in a browser) writes presentational style attributes (float: right) and, with
# Pygments, a style block into its own templates. An inline style cannot run script, and
# script-src stays 'self' there too; our pages, the admin and /api/docs/ need no exception.
OPSDESK_CSP_PATH_UPDATES = {"/api/v1/": {"style-src": ["'unsafe-inline'"]}}
# The violation reports logged per client address and minute (more are answered 429).
OPSDESK_CSP_REPORTS_PER_MINUTE = env.int("OPSDESK_CSP_REPORTS_PER_MINUTE", default=60)

# --- Data -------------------------------------------------------------------------
# PostgreSQL in every real deployment; an embedded SQLite file when nothing is configured.
if "DATABASE_URL" not in env.ENVIRON:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'opsdesk.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a real store's phones at once. WAL lets readers go on
    # while one writer writes; IMMEDIATE transactions take the write lock at BEGIN, so
    # two savers queue instead of both reading and then failing to upgrade ("database is
    # locked" at once, which no busy timeout can wait out); the timeout is how long a
    # saver waits in that queue (seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Background work and cache -----------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker (the embedded default) tasks run in-process so that the app still works.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Redelivery of an unacknowledged task happens after the visibility timeout: keep it
# longer than the longest task, or a running task would be delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Languages and time ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True

# One chain currency (ISO 4217); money is Decimal everywhere.
CURRENCY = env("CURRENCY", default="CNY")

# --- Static and media -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter's backend; a filter naming an out-of-scope object answers 404.
        "stores.filters.ScopedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "opsdesk.platform.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "opsdesk.platform.api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "opsdesk.platform.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsDesk API",
    "DESCRIPTION": "Retail store operations: stores, checklists, stock, sales, KPIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a "status" or "kind": one component name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "StoreStatusEnum": "stores.models.Store.Status",
        "TemplateVersionStatusEnum": "stores.checklists.models.TemplateVersion.Status",
        "ChecklistRunStatusEnum": "stores.checklists.models.ChecklistRun.Status",
        "CorrectiveActionStatusEnum": "stores.checklists.models.CorrectiveAction.Status",
        "PurchaseOrderStatusEnum": "inventory.models.documents.PurchaseOrder.Status",
        "TransferStatusEnum": "inventory.models.documents.Transfer.Status",
        "StockCountStatusEnum": "inventory.models.documents.StockCount.Status",
        "ImportBatchStatusEnum": "sales.models.ImportBatch.Status",
        "ChecklistKindEnum": "stores.checklists.models.ChecklistTemplate.Kind",
        "TemplateItemKindEnum": "stores.checklists.models.TemplateItem.Kind",
        "RunEventKindEnum": "stores.checklists.models.RunEvent.Kind",
        "StockMovementKindEnum": "inventory.models.stock.MovementKind",
        "ChecklistRunTimelinessEnum": "stores.checklists.models.ChecklistRun.Timeliness",
        "ReceiptChannelEnum": "sales.models.ImportBatch.Channel",
        "ExportJobStatusEnum": "opsdesk.analytics.reports.models.ExportJob.Status",
        "ExportJobFormatEnum": "opsdesk.analytics.reports.models.ExportJob.Format",
        "ComplaintKindEnum": "customers.models.Kind",
        "ComplaintStatusEnum": "customers.models.Complaint.Status",
        "ComplaintChannelEnum": "customers.models.Channel",
        "ComplaintEventKindEnum": "customers.models.ComplaintEvent.Kind",
        "ScheduleStatusEnum": "staff.models.Schedule.Status",
        "SwapRequestStatusEnum": "staff.models.SwapRequest.Status",
        "TrainingAssignmentStatusEnum": "staff.models.TrainingAssignment.Status",
        "PositionEnum": "staff.models.Position",
        "ContractTypeEnum": "staff.models.ContractType",
        # Two "severity" fields: a complaint's, and a scheduling rule violation's.
        "ComplaintSeverityEnum": "customers.models.Severity",
        "ViolationSeverityEnum": ["error", "warning"],
    },
}

# --- Sales imports -------------------------------------------------------------
# A POS file above the first size is refused; above the second it runs on a worker.
SALES_IMPORT_MAX_BYTES = env.int("SALES_IMPORT_MAX_BYTES", default=2 * 1024**3)
SALES_IMPORT_SYNC_MAX_BYTES = env.int("SALES_IMPORT_SYNC_MAX_BYTES", default=1024**2)

# --- Staff scheduling (staff/) ----------------------------------------------------
# The minimum rest between two shifts of one person, in hours (checked before publishing).
STAFF_MIN_REST_HOURS = env.float("STAFF_MIN_REST_HOURS", default=11.0)

# --- Exports and reports (opsdesk/analytics/reports) ----------------------------------------
# An export counting more rows than this runs on a worker (progress bar, download link).
OPSDESK_EXPORT_ASYNC_ROWS = env.int("OPSDESK_EXPORT_ASYNC_ROWS", default=50_000)
# Export files are deleted this many days after the export (daily sweep).
OPSDESK_EXPORT_KEEP_DAYS = env.int("OPSDESK_EXPORT_KEEP_DAYS", default=7)
# Generated files served only through views: their storage has no URL at all. The
# default sits in MEDIA_ROOT (which nothing serves publicly; photos go through views
# too) so that web and worker share it wherever they share the media volume.
OPSDESK_PRIVATE_MEDIA_ROOT = env.path("OPSDESK_PRIVATE_MEDIA_ROOT", default=MEDIA_ROOT("private"))

# --- Demo -----------------------------------------------------------------------
OPSDESK_DEMO_PASSWORD = env("OPSDESK_DEMO_PASSWORD", default="opsdesk-demo")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="opsdesk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
