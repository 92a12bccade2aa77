from __future__ import annotations

from django.conf import settings
from django.db import models

from gestures.vocabulary import EventKind
from sessions.ids import page_token, uuid7, webhook_secret


class Merchant(models.Model):
    name = models.CharField(max_length=100, unique=True)
    username = models.CharField(max_length=150, unique=True)
    # SHA-256 of a 256-bit random secret: see sessions.services.credentials for why not PBKDF2.
    password_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept as is, unlike the api key and password: an HMAC is signed with the secret itself,
    # so a digest could not sign (README, "Webhooks": why, and who can read it).
    webhook_secret = models.CharField(max_length=80, default=webhook_secret)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="api_keys")
    # The public part of the key, shown in the admin to tell keys apart; the secret is hashed.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({'revoked' if self.revoked_at else 'active'})"


class SessionStatus(models.TextChoices):
    PENDING = "PENDING"
    FINISHED = "FINISHED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class SessionKind(models.TextChoices):
    """Which API created the session: GLAIR's active (gestures) or passive (hold still)."""

    ACTIVE = "active"
    PASSIVE = "passive"


class LivenessSession(models.Model):
    sid = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="sessions")
    # Each API reads only its own kind: an active sid is a 404 on the passive path and back.
    kind = models.CharField(max_length=8, choices=SessionKind.choices, default=SessionKind.ACTIVE)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.PENDING
    )
    success_url = models.URLField(max_length=2048)
    cancel_url = models.URLField(max_length=2048, blank=True)
    number_of_gestures = models.PositiveSmallIntegerField(default=1)
    # Drawn (or given) at creation and kept on the server; the page learns one at a time.
    gestures = models.JSONField(default=list)
    gestures_requested = models.BooleanField(default=False)
    page_token = models.CharField(max_length=64, unique=True, default=page_token, editable=False)
    device_correlation_id = models.CharField(max_length=128, blank=True, db_index=True)
    # Where this session's events go (CONTRACT §6); empty: no webhooks.
    webhook_url = models.URLField(max_length=2048, blank=True)
    # The scheme and host the page URL was built on at creation, so an event shaped later,
    # outside any request (a worker, the expiry job), carries the same `url`.
    page_origin = models.CharField(max_length=2048, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Progress through the challenges, persisted so a reconnect resumes where it stopped.
    current_index = models.PositiveSmallIntegerField(default=0)
    attempts_used = models.PositiveSmallIntegerField(default=0)
    # The engine's snapshot (gestures.challenge), saved at every challenge boundary.
    run_state = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["sid"]
        indexes = [models.Index(fields=["merchant", "sid"], name="session_merchant_sid")]

    def __str__(self) -> str:
        return str(self.sid)


class SessionEvent(models.Model):
    """The audit trail: connections, challenges, gesture events and verdicts, in order."""

    session = models.ForeignKey(LivenessSession, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40, choices=[(kind.value, kind.value) for kind in EventKind])
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at.isoformat()}"


class ImageKind(models.TextChoices):
    REFERENCE = "reference"
    AUDIT = "audit"
    VERIFY = "verify"  # the merchant's `verify_image`: the person expected (CONTRACT section 1)


class SessionImage(models.Model):
    session = models.ForeignKey(LivenessSession, on_delete=models.CASCADE, related_name="images")
    kind = models.CharField(max_length=16, choices=ImageKind.choices)
    challenge_index = models.PositiveSmallIntegerField(null=True, blank=True)
    image = models.FileField(upload_to="sessions/%Y/%m/%d/")
    content_type = models.CharField(max_length=40, default="image/jpeg")
    captured_at = models.DateTimeField()

    class Meta:
        ordering = ["captured_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} image of {self.session_id}"


class TimelineChunk(models.Model):
    """Per-frame measurements of a live run (angles, openness, guidance), for reviewers' plots.

    Appended in chunks at challenge boundaries, never rewritten: one live connection writes.
    """

    session = models.ForeignKey(LivenessSession, on_delete=models.CASCADE, related_name="timeline")
    created_at = models.DateTimeField(auto_now_add=True)
    samples = models.JSONField(default=list)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{len(self.samples)} samples of {self.session_id}"


class ReviewDecision(models.TextChoices):
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    NEEDS_FOLLOW_UP = "NEEDS_FOLLOW_UP", "Needs follow-up"


class SessionReview(models.Model):
    """A staff reviewer's decision on a session. Never edited: a new review supersedes the
    last one, so the history of decisions stays readable."""

    session = models.ForeignKey(LivenessSession, on_delete=models.CASCADE, related_name="reviews")
    # PROTECT: who decided is part of the record; deactivate reviewers instead of deleting them.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_reviews"
    )
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} of {self.session_id} by {self.reviewer_id}"


class WebhookEvent(models.TextChoices):
    SESSION_FINISHED = "session.finished"
    SESSION_CANCELLED = "session.cancelled"
    SESSION_EXPIRED = "session.expired"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING"  # waiting for its next attempt (`next_attempt_at`)
    DELIVERING = "DELIVERING"  # one worker holds it until `lease_expires_at`
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # given up: out of time, or refused for good (a private address)


class WebhookDelivery(models.Model):
    """One event for one merchant's webhook URL: the transactional outbox row.

    Written in the transaction that ends the session; its `body` is frozen then, so every
    attempt sends the same bytes under the same `id`. Not tied to one session model: `sid`
    names a session of either kind (active or passive).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    sid = models.UUIDField(db_index=True)
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    url = models.URLField(max_length=2048)
    # The exact JSON text sent (ASCII only, so its bytes never depend on an encoding).
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Failed attempts are retried until this time (a reviewer's re-send extends it).
    retry_until = models.DateTimeField()
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts_count = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery (or a worker that died holding it): when, how long, what came
    back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} @ {self.started_at.isoformat()}"
