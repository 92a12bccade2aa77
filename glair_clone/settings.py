"""Settings for glair-clone. Every knob is an environment variable; README lists them all.

Without DATABASE_URL / REDIS_URL the project runs embedded: SQLite, an in-memory channel layer
and frame analysis in-process. With them it runs distributed: PostgreSQL, channels-redis and
Celery workers on any number of machines.
"""

from __future__ import annotations

import secrets
import warnings
from pathlib import Path

import dj_database_url
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from gestures.codes import ENGINE_GESTURES
from glair_clone.env import env_bool, env_float, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("GLAIR_DATA_DIR", str(BASE_DIR / ".data")))


def _secret_key() -> str:
    # A local run gets a stable random key kept beside its data; deployments set SECRET_KEY.
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public origin used to build session page URLs (e.g. https://liveness.example.com).
# Empty: derive it from each request's Host header.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "sessions.apps.LivenessSessionsConfig",
]

MIDDLEWARE = [
    "sessions.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "glair_clone.urls"
ASGI_APPLICATION = "glair_clone.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        # Reuse connections: opening one per query costs the socket flow several ms each.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, low=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (ASGI server, in-process analysis) write: wait for the lock, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that stops answering (rather than refusing) must fail a query within seconds,
    # so the socket pauses its run (`storage_unavailable`) instead of hanging every socket.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
         "keepalives_count": 3}
    )  # fmt: skip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# Longer than channels-redis's blocking read (RedisChannelLayer.brpop_timeout, 5 s).
REDIS_SOCKET_TIMEOUT_S = 15
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # A socket's receive is a 5 s blocking BZPOPMIN, looped: redis-py's own
                        # default 5 s socket timeout fired first and killed idle sockets (1011).
                        "socket_timeout": REDIS_SOCKET_TIMEOUT_S,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                        # A restarted Redis leaves dead pooled connections: reconnect and retry.
                        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.1), 3),
                        "retry_on_error": [RedisConnectionError],
                    }
                ],
                "capacity": 200,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: distributed when REDIS_URL is set; otherwise the same task code runs in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = False
# No unacked-message bookkeeping in Redis: nothing here is redelivered anyway (a frame is
# worthless a second later; a webhook delivery is handed on by the sweep, from its row). With
# it, a Redis restart that caught a message between delivery and ack killed the worker: kombu
# restores it while closing the lost connection and fails ("Unrecoverable error: AttributeError
# 'NoneType' object has no attribute 'hostname'"), and no frame was analysed again.
CELERY_BROKER_TRANSPORT_OPTIONS = {"ack_emulation": False}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 10, low=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20, low=2)
# Webhook deliveries wait on merchants' servers: their own queue and workers, so a slow
# receiver never holds up frame analysis (README, "Webhooks").
CELERY_TASK_ROUTES = {
    "sessions.deliver_webhook": {"queue": "webhooks"},
    "sessions.webhooks_sweep": {"queue": "webhooks"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Static files are served from the app folders (finders) until `collectstatic` fills STATIC_ROOT.
warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))

# The merchant API accepts small JSON bodies only.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 16 * 1024, low=1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sessions.api.auth.MerchantAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sessions.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "glair-clone Face API (liveness sessions, single-image liveness, face match)",
    "DESCRIPTION": (
        "Self-hosted, wire-compatible implementation of GLAIR Vision's face API: active and "
        "passive liveness sessions, single-image active and passive liveness, face match. "
        "Every call carries `x-api-key` and HTTP Basic credentials."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Liveness product settings -------------------------------------------------------------
LIVENESS_DEFAULT_GESTURE_POOL = env_list(
    "LIVENESS_DEFAULT_GESTURE_POOL",
    # The hand shapes measured on real photos (docs/ACCURACY.md); the thumb shapes, tested only
    # on recorded landmarks, are enabled for merchants who ask for them but not drawn at random.
    ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH", "HEAD_00",
     "HAND_00000", "HAND_01000", "HAND_01100", "HAND_01111", "HAND_11111"],
)  # fmt: skip
# Gestures this deployment's engine can judge (GLAIR's 19); merchants may only request these.
LIVENESS_ENABLED_GESTURES = env_list("LIVENESS_ENABLED_GESTURES", list(ENGINE_GESTURES))
LIVENESS_SESSION_DEFAULT_EXPIRES_IN = env_int(
    "LIVENESS_SESSION_DEFAULT_EXPIRES_IN", 86400, low=60, high=86400
)
LIVENESS_MAX_ATTEMPTS = env_int("LIVENESS_MAX_ATTEMPTS", 3, low=1, high=10)
# Create-call throttles: per merchant (all devices) and per device_correlation_id.
LIVENESS_CREATE_RATE_PER_MINUTE = env_int("LIVENESS_CREATE_RATE_PER_MINUTE", 600, low=1)
LIVENESS_DEVICE_RATE_PER_HOUR = env_int("LIVENESS_DEVICE_RATE_PER_HOUR", 20, low=1)
LIVENESS_DEMO_ENABLED = env_bool("LIVENESS_DEMO_ENABLED", True)
# The end-user page keeps its test and measurement record on `window` (browser tests only).
LIVENESS_PAGE_DEBUG = env_bool("LIVENESS_PAGE_DEBUG", False)
LIVENESS_TEST_DATA = Path(env_str("LIVENESS_TEST_DATA", str(BASE_DIR.parent / "shared" / "data")))
# Its base64 text message must fit under LIVENESS_WS_MAX_MESSAGE_BYTES (below, check liveness.E040).
LIVENESS_FRAME_MAX_BYTES = env_int("LIVENESS_FRAME_MAX_BYTES", 512 * 1024, low=1024)
LIVENESS_FRAME_MAX_PIXELS = env_int("LIVENESS_FRAME_MAX_PIXELS", 1920 * 1920, low=64 * 64)
# Largest image file the single-image face endpoints accept (POST /face/v1/passive-liveness):
# merchants send whole phone photos there, not the page's 480-px frames.
LIVENESS_IMAGE_MAX_BYTES = env_int("LIVENESS_IMAGE_MAX_BYTES", 5 * 1024 * 1024, low=1024)
# Largest `verify_image` (the ID photo a session's face is compared with) before base64: the
# session-create body may be that much larger, base64-encoded, than API_MAX_BODY_BYTES.
LIVENESS_VERIFY_IMAGE_MAX_BYTES = env_int(
    "LIVENESS_VERIFY_IMAGE_MAX_BYTES", 2 * 1024 * 1024, low=1024
)
# Embedded mode analyses frames on this many threads of the web process.
LIVENESS_EMBEDDED_ANALYSIS_THREADS = env_int("LIVENESS_EMBEDDED_ANALYSIS_THREADS", 2, low=1)
# A frame not picked up by a worker within this many seconds is dropped, never queued.
LIVENESS_FRAME_EXPIRES_S = env_float("LIVENESS_FRAME_EXPIRES_S", 2.0)
# Engine thresholds (gestures.config.EngineConfig); JSON object of overrides.
LIVENESS_ENGINE = env_json("LIVENESS_ENGINE", {})

# --- Bad input: socket message cap, socket origins, sign-in throttles -----------------------
# The ASGI server's cap on one WebSocket message: daphne's --websocket-max-message-size and
# --websocket-max-frame-size (1 MiB each unless given). The server drops a larger message's
# connection without a close frame, so the app could never answer it: check liveness.E040
# refuses a LIVENESS_FRAME_MAX_BYTES whose (somewhat oversized) frame message would not fit.
LIVENESS_WS_MAX_MESSAGE_BYTES = env_int("LIVENESS_WS_MAX_MESSAGE_BYTES", 1024 * 1024, low=4096)
# Origins (scheme://host[:port]) whose pages may open the socket besides the page's own.
LIVENESS_ALLOWED_ORIGINS = env_list("LIVENESS_ALLOWED_ORIGINS", [])
# Failed sign-ins (merchant API credentials, the admin login) per fixed window: past the limit
# the credential (api key, username) from that address, or the address, answers 429.
LIVENESS_AUTH_FAILURE_WINDOW_S = env_int("LIVENESS_AUTH_FAILURE_WINDOW_S", 300, low=1)
LIVENESS_AUTH_FAILURES_PER_CREDENTIAL = env_int("LIVENESS_AUTH_FAILURES_PER_CREDENTIAL", 10, low=1)
LIVENESS_AUTH_FAILURES_PER_ADDRESS = env_int("LIVENESS_AUTH_FAILURES_PER_ADDRESS", 50, low=1)
# The header a proxy you run sets to the client's address (e.g. X-Forwarded-For; its last
# entry is used). Empty: REMOTE_ADDR, the peer of the ASGI server.
LIVENESS_CLIENT_IP_HEADER = env_str("LIVENESS_CLIENT_IP_HEADER")
# The OpenAPI schema states the headers every answer carries (Request-Id, Retry-After).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "sessions.api.schema.add_response_headers",
]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    # The create call's `gestures` and the single-image call's `gesture-code`: one component.
    "GesturesEnum": LIVENESS_ENABLED_GESTURES,
    "SessionStatusEnum": ["PENDING", "FINISHED", "CANCELLED", "EXPIRED"],
    "OutcomeEnum": ["success", "failed"],
    "PassiveStatusEnum": [
        "LOW",
        "MODERATE",
        "HIGH",
        "face not detected",
        "too many faces detected",
    ],
    "WebhookDeliveryStatusEnum": ["PENDING", "DELIVERING", "DELIVERED", "FAILED"],
    "WebhookEventEnum": ["session.finished", "session.cancelled", "session.expired"],
}

# --- Load: admission of new runs (sessions.services.load, GET /face/v1/health) --------------
# Live runs (Start pressed, socket open) the whole deployment holds within its round-trip
# target; past it a new run's page shows "busy" and tries again after LIVENESS_BUSY_RETRY_S.
# Measure it for your machines with bench/capacity.py (docs/PERFORMANCE.md); 0: no limit.
LIVENESS_MAX_ACTIVE_SESSIONS = env_int("LIVENESS_MAX_ACTIVE_SESSIONS", 20, low=0)
LIVENESS_BUSY_RETRY_S = env_int("LIVENESS_BUSY_RETRY_S", 10, low=1, high=300)

# --- Webhooks: merchants' notifications (CONTRACT §6, sessions.services.webhooks) ----------
# 1: http URLs and loopback/private/link-local receivers are allowed (local testing only).
LIVENESS_WEBHOOK_ALLOW_PRIVATE = env_bool("LIVENESS_WEBHOOK_ALLOW_PRIVATE", False)
# One attempt's whole budget: resolve, connect, send, read the answer's head and 4 KiB.
LIVENESS_WEBHOOK_TIMEOUT_S = env_float("LIVENESS_WEBHOOK_TIMEOUT_S", 10.0)
# Retries: the first after about this long, then twice as long each time (±20 % jitter),
# at most LIVENESS_WEBHOOK_RETRY_MAX_S apart, until LIVENESS_WEBHOOK_RETRY_FOR_S have passed.
LIVENESS_WEBHOOK_RETRY_FIRST_S = env_float("LIVENESS_WEBHOOK_RETRY_FIRST_S", 30.0)
LIVENESS_WEBHOOK_RETRY_MAX_S = env_float("LIVENESS_WEBHOOK_RETRY_MAX_S", 3600.0)
LIVENESS_WEBHOOK_RETRY_FOR_S = env_float("LIVENESS_WEBHOOK_RETRY_FOR_S", 86400.0)
# A worker holds a delivery this long; past it (the worker died) the sweep hands it on.
# Must outlast an attempt (check liveness.E060).
LIVENESS_WEBHOOK_LEASE_S = env_float("LIVENESS_WEBHOOK_LEASE_S", 60.0)
# How often the periodic job runs: expire sessions nobody reads, hand on due deliveries.
# Celery beat in the distributed mode, a thread of the server in the embedded one.
LIVENESS_WEBHOOK_SWEEP_S = env_float("LIVENESS_WEBHOOK_SWEEP_S", 15.0)
# Embedded mode: threads of the server process that deliver, and whether the server runs the
# periodic job at all (the test suite drives it by hand instead).
LIVENESS_WEBHOOK_EMBEDDED_THREADS = env_int("LIVENESS_WEBHOOK_EMBEDDED_THREADS", 4, low=1)
LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER = env_bool("LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER", True)
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {"task": "sessions.webhooks_sweep", "schedule": LIVENESS_WEBHOOK_SWEEP_S}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
