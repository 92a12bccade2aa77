"""One family of domain errors; sessions.api.errors maps each to the JSON error body."""

from __future__ import annotations


class LivenessError(Exception):
    status = 400
    reason = "BAD_REQUEST"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(LivenessError):
    status = 400
    reason = "INVALID_REQUEST"


class NotFound(LivenessError):
    status = 404
    reason = "NOT_FOUND"


class Conflict(LivenessError):
    status = 409
    reason = "CONFLICT"


class SessionClosed(LivenessError):
    """The session has a verdict, was cancelled, expired or deleted: nothing more may change."""

    status = 409
    reason = "SESSION_CLOSED"


class RateLimited(LivenessError):
    status = 429
    reason = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
