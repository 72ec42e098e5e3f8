"""Settings, all read from the environment with safe production defaults.

Every variable is documented in README.md ("Settings").
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("DMS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# DMS_DEV marks a developer machine (set by `make run`): it allows a generated secret key
# and plain-HTTP cookies on 127.0.0.1. Production leaves it unset.
DEV = env_bool("DMS_DEV") or DEBUG

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEV:
        raise ImproperlyConfigured("SECRET_KEY must be set outside development (DMS_DEV=1).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEV else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Apps that plug into the shared wiring (URLs, API router, roles, navigation, dashboards,
# demo data, isolation walks) through the same-named modules each of them has.
DMS_FEATURE_APPS = ["finance", "crm", "service", "visits", "comms", "training", "marketing"]

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
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "dms.core",
    "dms.accounts",
    "dms.distributors",
    "dms.catalog",
    "dms.inventory",
    "dms.orders",
    "dms.logistics",
    "dms.notifications",
    "dms.audit",
    "dms.portal",
    *(f"dms.{app}" for app in DMS_FEATURE_APPS),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dms.accounts.middleware.BearerTokenMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dms.core.middleware.RequestContextMiddleware",
    "dms.core.middleware.TenantScopeMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dms.core.context_processors.dms",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dms.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif env_bool("DB_PREPARED_STATEMENTS"):
    # PostgreSQL: bind parameters on the server and let psycopg prepare a statement after
    # DB_PREPARE_THRESHOLD executions on a connection (docs/performance.md). Leave off
    # behind a connection pooler in transaction mode (PgBouncer < 1.21).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": int(os.environ.get("DB_PREPARE_THRESHOLD", "5")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "dms.accounts.backends.DmsModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out: keyed on user *and* IP, so failures from elsewhere cannot lock a user out.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dms.accounts.views.lockout_response"
# Reverse proxies in front of the app: the client address is taken from X-Forwarded-For.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_ENABLE_ADMIN = False

OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "DMS")

# --- sessions, cookies, security headers ---------------------------------------------
SECURE = env_bool("SECURE_COOKIES", not DEV)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEV else "31536000"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: nothing from third-party origins; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- i18n ---------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
CURRENCY = os.environ.get("CURRENCY", "CNY")

# --- orders and stock ---------------------------------------------------------------
# Submitted orders are approved at once when the distributor is active, every line is in
# stock and the total is within ORDER_AUTO_APPROVE_LIMIT (empty: no limit); otherwise
# they go through the enabled review steps.
ORDER_AUTO_APPROVE = env_bool("ORDER_AUTO_APPROVE", True)
_auto_limit = os.environ.get("ORDER_AUTO_APPROVE_LIMIT", "50000").strip()
ORDER_AUTO_APPROVE_LIMIT = Decimal(_auto_limit) if _auto_limit else None
ORDER_AUTO_COMPLETE_DAYS = int(os.environ.get("ORDER_AUTO_COMPLETE_DAYS", "7"))
# What a distributor sees of stock when ordering: "level" (in stock / low / out) or "exact".
STOCK_VISIBILITY = os.environ.get("STOCK_VISIBILITY", "level")

# --- static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded documents (qualifications, contracts) are private: stored outside the web root
# and served only through views that check permissions. Set STORAGE_BACKEND to
# "storages.backends.s3.S3Storage" (with django-storages) for S3-compatible storage.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- e-mail -------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dms@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- cache --------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dms_cache"}
    )
}

# --- Celery -------------------------------------------------------------------------
# Without CELERY_BROKER_URL, kombu's filesystem transport under var/celery is used, so the
# embedded default needs no broker process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_BROKER_CONFIGURED = bool(CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://localhost/"  # host is ignored; naming it silences a kombu warning
    _queue = VAR_DIR / "celery" / "queue"
    for _folder in (_queue, VAR_DIR / "celery" / "processed", VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "polling_interval": 0.5,
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- DRF ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dms.accounts.authentication.BearerTokenAuthentication",
        "dms.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dms.core.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dms.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["dms.core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_RATE", "6000/min"),
        "auth_token": os.environ.get("API_SIGNIN_RATE", "60/min"),  # sign-in attempts per client address
    },
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Distributor Management System API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ContractTypeEnum": "dms.distributors.models.Contract.Type",
        "QualificationTypeEnum": "dms.distributors.models.Qualification.Type",
        "DistributorStatusEnum": "dms.distributors.models.Distributor.Status",
        "ContractStatusEnum": "dms.distributors.models.Contract.Status",
        "ReviewStatusEnum": "dms.distributors.models.Review.Status",
        "OrderStatusEnum": "dms.orders.models.Order.Status",
        "ReturnStatusEnum": "dms.orders.models.ReturnRequest.Status",
        "ShipmentStatusEnum": "dms.logistics.models.Shipment.Status",
        "DiscrepancyStatusEnum": "dms.logistics.models.Discrepancy.Status",
        "ProductStatusEnum": "dms.catalog.models.Product.Status",
        "OrderEventKindEnum": "dms.orders.models.OrderEvent.Kind",
        "StockMoveKindEnum": "dms.inventory.models.StockMove.Kind",
        "PriceListKindEnum": "dms.catalog.models.PriceList.Kind",
        "ReviewKindEnum": "dms.distributors.models.Review.Kind",
        "CustomerTypeEnum": "dms.crm.models.Customer.Type",
        "InvoiceStatusEnum": "dms.finance.models.Invoice.Status",
        "StatementStatusEnum": "dms.finance.models.Statement.Status",
        "SettlementStatusEnum": "dms.finance.models.Settlement.Status",
        "VisitTypeEnum": "dms.visits.models.Visit.Type",
        "TicketTypeEnum": "dms.service.models.TicketType",
        "TicketPriorityEnum": "dms.service.models.Priority",
        "FeedbackPriorityEnum": "dms.marketing.models.Feedback.Priority",
        "FeedbackCategoryEnum": "dms.marketing.models.Feedback.Category",
        "MaterialCategoryEnum": "dms.marketing.models.Material.Category",
        "CustomerStatusEnum": "dms.crm.models.Customer.Status",
        "CustomerNeedStatusEnum": "dms.crm.models.CustomerNeed.Status",
    },
}

# --- business settings ---------------------------------------------------------------
# Qualification review steps and reminder rules are data (editable in the admin);
# these are only the defaults the migrations create.
REGISTRATION_LIMIT_PER_HOUR = int(os.environ.get("REGISTRATION_LIMIT_PER_HOUR", "5"))  # per client address

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Finance (docs/finance.md) ------------------------------------------------------------
# Credit limit of a new distributor whose tier has no credit policy (in CURRENCY).
FINANCE_DEFAULT_CREDIT_LIMIT = os.environ.get("FINANCE_DEFAULT_CREDIT_LIMIT", "500000.00")
# Invoices are created when a shipment is dispatched ("shipment") or when an order is approved ("approval").
FINANCE_INVOICE_ON = os.environ.get("FINANCE_INVOICE_ON", "shipment")
# An order paid from prepayment: deducted when it is approved ("approval"), or reserved when it is
# submitted and deducted when it is invoiced ("shipment").
FINANCE_PREPAYMENT_DEDUCT_AT = os.environ.get("FINANCE_PREPAYMENT_DEDUCT_AT", "approval")
# The largest share of an order that the rebate balance may pay.
FINANCE_REBATE_MAX_SHARE = os.environ.get("FINANCE_REBATE_MAX_SHARE", "0.20")
# A distributor with an invoice overdue by more than this many days is put on credit hold (nightly).
FINANCE_OVERDUE_HOLD_DAYS = int(os.environ.get("FINANCE_OVERDUE_HOLD_DAYS", "30"))
