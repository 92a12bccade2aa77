from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from sessions.errors import LivenessError, RateLimited
from sessions.models import (
    ApiKey,
    LivenessSession,
    Merchant,
    SessionEvent,
    SessionImage,
    SessionReview,
    WebhookAttempt,
    WebhookDelivery,
)
from sessions.ratelimit import auth_attempt, auth_succeeded, client_address
from sessions.services.credentials import (
    api_key_revoke,
    merchant_credentials_rotate,
    merchant_deactivate,
)
from sessions.services.webhooks import merchant_webhook_secret_rotate, webhook_delivery_resend


class _ReadOnlyInline(admin.TabularInline):
    """A record kept for the audit: shown, never added, edited or deleted by hand."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiKeyInline(_ReadOnlyInline):
    model = ApiKey
    fields = ("prefix", "created_at", "revoked_at")


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "username", "is_active", "created_at")
    search_fields = ("name", "username")
    readonly_fields = ("username", "created_at", "is_active")
    fields = ("name", "username", "is_active", "created_at")
    inlines = [ApiKeyInline]
    actions = ["rotate_credentials", "rotate_webhook_secret", "deactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New merchants come from `manage.py create_merchant`, which shows the secrets once.
        return False

    @admin.action(description="Rotate credentials (new api key and password; old keys revoked)")
    def rotate_credentials(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            issued = merchant_credentials_rotate(merchant=merchant)
            self.message_user(
                request,
                f"{merchant.name}: api key {issued.api_key} · username {issued.username} · "
                f"password {issued.password} (shown once; copy them now)",
                messages.WARNING,
            )

    @admin.action(description="Rotate the webhook signing secret")
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            secret = merchant_webhook_secret_rotate(merchant=merchant)
            self.message_user(
                request,
                f"{merchant.name}: webhook secret {secret} (shown once; copy it now)",
                messages.WARNING,
            )

    @admin.action(description="Deactivate (revoke every key, refuse all calls)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            merchant_deactivate(merchant=merchant)
        self.message_user(request, f"{queryset.count()} merchant(s) deactivated")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "merchant", "created_at", "revoked_at")
    list_filter = ("merchant",)
    readonly_fields = ("merchant", "prefix", "created_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.filter(revoked_at=None):
            api_key_revoke(prefix=key.prefix)
        self.message_user(request, "keys revoked")


class EventInline(_ReadOnlyInline):
    model = SessionEvent
    fields = ("at", "kind", "data")


class ImageInline(_ReadOnlyInline):
    model = SessionImage
    fields = ("kind", "challenge_index", "captured_at", "image")


@admin.register(LivenessSession)
class LivenessSessionAdmin(admin.ModelAdmin):
    """Read-mostly: sessions change only through the API and the page, never by hand."""

    list_display = (
        "sid",
        "merchant",
        "kind",
        "status",
        "number_of_gestures",
        "created_at",
        "expires_at",
    )
    list_filter = ("kind", "status", "merchant", "created_at")
    search_fields = ("sid", "device_correlation_id")
    readonly_fields = [f.name for f in LivenessSession._meta.fields if f.name != "page_token"]
    exclude = ("page_token",)
    inlines = [EventInline, ImageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WebhookAttemptInline(_ReadOnlyInline):
    model = WebhookAttempt
    fields = ("started_at", "status_code", "error", "duration_ms")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are written with the session's end; a re-send is the one action."""

    list_display = ("id", "merchant", "sid", "event", "status", "attempts_count", "created_at")
    list_filter = ("status", "event", "merchant")
    search_fields = ("id", "sid")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Re-send (same id and body)")
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = 0
        for delivery in queryset:
            try:
                webhook_delivery_resend(delivery_id=delivery.pk)
            except LivenessError as exc:
                self.message_user(request, f"{delivery.pk}: {exc.message}", messages.WARNING)
            else:
                queued += 1
        if queued:
            self.message_user(request, f"{queued} re-send{'s' if queued != 1 else ''} queued")


@admin.register(SessionReview)
class SessionReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews are recorded in the dashboard (/dashboard/), which keeps the history."""

    list_display = ("session", "decision", "reviewer", "created_at")
    list_filter = ("decision", "created_at")
    search_fields = ("session__sid", "reviewer__username", "note")
    readonly_fields = ("session", "reviewer", "decision", "note", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin login (the dashboard's too), with failed sign-ins throttled per username from
    this address and per address, as the merchant API's credentials are."""
    if request.method != "POST":
        return admin.site.login(request)
    address = client_address(request.META)
    attempt = {"username": request.POST.get("username", "").strip().casefold()}
    try:
        auth_attempt(address=address, credentials=attempt)
    except RateLimited as exc:
        response = HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(exc.retry_after)
        return response
    response = admin.site.login(request)
    # A good sign-in redirects; a refused one shows the form again with its error.
    if response.status_code != 200:
        auth_succeeded(address=address, credentials=attempt)
    return response
