"""The demo merchant's pages: start a session, come back, see what the API says about it.

They stand in for a merchant's own back end, so they call the same services the API calls.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sessions import selectors
from sessions.api.serializers import session_representation
from sessions.errors import LivenessError
from sessions.gesture_codes import ALL_GESTURES
from sessions.models import Merchant
from sessions.services.demo import demo_merchant
from sessions.services.sessions import session_create, sessions_expire_due


def _merchant_or_404() -> Merchant:
    merchant = demo_merchant() if settings.LIVENESS_DEMO_ENABLED else None
    if merchant is None:
        raise Http404("the demo is not enabled here")
    return merchant


def _gestures() -> list[str]:
    """The codes a merchant may request here, head and hand, in GLAIR's order."""
    return [g for g in ALL_GESTURES if g in settings.LIVENESS_ENABLED_GESTURES]


@require_GET
def demo_home(request: HttpRequest) -> HttpResponse:
    _merchant_or_404()
    return render(request, "demo/home.html", {"gestures": _gestures()})


@require_POST
def demo_start(request: HttpRequest) -> HttpResponse:
    merchant = _merchant_or_404()
    done = request.build_absolute_uri(reverse("demo-done"))
    gesture = request.POST.get("gesture", "")
    try:
        session = session_create(
            merchant=merchant,
            success_url=done,
            cancel_url=done,
            gestures=[gesture] if gesture in _gestures() else None,
            number_of_gestures=min(max(int(request.POST.get("count") or 1), 1), 5),
        )
    except (LivenessError, ValueError) as exc:
        return render(request, "demo/home.html", {"gestures": _gestures(), "error": str(exc)})
    return redirect(reverse("liveness-page", kwargs={"token": session.page_token}))


@require_GET
def demo_done(request: HttpRequest) -> HttpResponse:
    merchant = _merchant_or_404()
    try:
        sessions_expire_due(merchant=merchant, sid=request.GET.get("sid", ""))
        session = selectors.session_get(merchant=merchant, sid=request.GET.get("sid", ""))
    except LivenessError:
        return render(request, "demo/done.html", {"missing": True}, status=404)
    url = request.build_absolute_uri(reverse("liveness-page", kwargs={"token": session.page_token}))
    body = session_representation(session, page_url=url)
    return render(
        request, "demo/done.html", {"session": body, "pretty": json.dumps(body, indent=2)}
    )
