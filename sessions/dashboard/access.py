"""Who may open the dashboard: staff users, logged in through the admin. Nobody else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

DASHBOARD_CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Anonymous: to the admin login and back. Logged in without staff: 403.

    Merchants' API credentials are not a login here: only Django's session user counts.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        # Biometric evidence: never cached, never framed, never sent on as a Referer.
        add_never_cache_headers(response)
        response["Content-Security-Policy"] = DASHBOARD_CSP
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped
