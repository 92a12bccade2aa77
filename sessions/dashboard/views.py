"""The reviewers' dashboard: list, detail, review decisions, evidence frames."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sessions.dashboard import present, selectors
from sessions.dashboard.access import staff_only
from sessions.dashboard.forms import ReviewForm, SessionFilterForm
from sessions.dashboard.plot import timeline_plot
from sessions.engine import engine_config
from sessions.errors import LivenessError, NotFound
from sessions.models import ImageKind, LivenessSession
from sessions.selectors import webhook_deliveries_of_session
from sessions.services.reviews import session_review_create
from sessions.services.sessions import sessions_expire_due
from sessions.services.webhooks import webhook_delivery_resend

PAGE_SIZE = 25


@require_GET
@staff_only
def session_list(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET)
    sessions_expire_due()
    sessions = selectors.reviewable_session_list(**form.filters())
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/list.html", {"form": form, "page": page})


@require_GET
@staff_only
def session_detail(request: HttpRequest, sid: str) -> HttpResponse:
    session = _session_or_404(sid)
    return render(request, "dashboard/detail.html", _detail_context(session, ReviewForm()))


@require_POST
@staff_only
def session_review_add(request: HttpRequest, sid: str) -> HttpResponse:
    session = _session_or_404(sid)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            session_review_create(session=session, reviewer=request.user, **form.cleaned_data)
        except LivenessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Review recorded.")
            return redirect("dashboard:session-detail", sid=session.sid)
    context = _detail_context(session, form)
    return render(request, "dashboard/detail.html", context, status=400)


@require_GET
@staff_only
def session_image(request: HttpRequest, sid: str, image_id: int) -> FileResponse:
    session = _session_or_404(sid)
    image = session.images.filter(pk=image_id).first()
    if image is None:
        raise Http404("image not found")
    return FileResponse(image.image.open("rb"), content_type=image.content_type)


@require_POST
@staff_only
def webhook_resend(request: HttpRequest, sid: str, delivery_id: str) -> HttpResponse:
    session = _session_or_404(sid)
    if not any(str(d.pk) == delivery_id for d in webhook_deliveries_of_session(sid=session.sid)):
        raise Http404("delivery not found")
    try:
        webhook_delivery_resend(delivery_id=delivery_id)
    except LivenessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The delivery will be sent again (same id and body).")
    return redirect(reverse("dashboard:session-detail", kwargs={"sid": session.sid}) + "#webhooks")


def _session_or_404(sid: str) -> LivenessSession:
    sessions_expire_due(sid=sid)
    try:
        return selectors.reviewable_session_get(sid=sid)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _detail_context(session: LivenessSession, form: ReviewForm) -> dict[str, Any]:
    images = list(session.images.order_by("captured_at", "id"))
    events = list(session.events.order_by("at", "id"))
    samples = selectors.session_timeline_samples(session=session)
    reviews = selectors.session_reviews(session=session)
    return {
        "session": session,
        "verdict": present.verdict_of(session),
        "passive": present.passive_of(session),
        "gestures": present.gesture_rows(session),
        "result_json": present.pretty_json(session.result) if session.result else "",
        "reference": next((i for i in images if i.kind == ImageKind.REFERENCE), None),
        "verify_image": next((i for i in images if i.kind == ImageKind.VERIFY), None),
        "verify": (session.result or {}).get("result", {}).get("verify"),
        "audit_frames": present.audit_frames(
            session, [i for i in images if i.kind == ImageKind.AUDIT]
        ),
        "events": present.event_rows(events),
        "plot": timeline_plot(
            samples=samples,
            events=events,
            live_threshold=1 - engine_config().passive_spoof_high,
        ),
        "reviews": reviews,
        "deliveries": webhook_deliveries_of_session(sid=session.sid),
        "current_review": reviews[0] if reviews else None,
        "form": form,
    }
