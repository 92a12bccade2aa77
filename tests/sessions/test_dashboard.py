"""The reviewers' dashboard (CONTRACT §4): staff only, filters, evidence, plot, decisions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from sessions.models import LivenessSession, SessionReview, SessionStatus
from sessions.services.progress import session_image_save, session_timeline_append
from sessions.services.sessions import event_record, session_delete
from tests.support.factories import LivenessSessionFactory, MerchantPersona

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LIST = "/dashboard/"
JPEG = b"\xff\xd8\xff\xe0reviewer-frame\xff\xd9"
SUCCESS = {
    "status": "success",
    "result": {
        "gesture_status": "MATCH",
        "detected_gesture": "HEAD_LEFT",
        "gestures": [
            {"gesture": "HEAD_LEFT", "gesture_status": "MATCH", "detected_gesture": "HEAD_LEFT",
             "duration_ms": 1240},
        ],
    },
}  # fmt: skip
FAILED = {**SUCCESS, "status": "failed"}


def detail_url(session: LivenessSession) -> str:
    return f"/dashboard/sessions/{session.sid}/"


def finished(merchant: MerchantPersona, result: dict[str, Any] = SUCCESS) -> LivenessSession:
    return LivenessSessionFactory(
        merchant=merchant.merchant, status=SessionStatus.FINISHED, result=result
    )


@pytest.fixture
def staff(reviewer: Any) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def member(db: Any) -> Client:
    """Logged in, but not staff."""
    user = get_user_model().objects.create_user("max", "max@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def evidence(merchant: MerchantPersona, settings: Any, tmp_path: Any) -> LivenessSession:
    """A finished two-gesture session as the live socket leaves it: frames, events, samples."""
    settings.MEDIA_ROOT = tmp_path
    session = LivenessSessionFactory(
        merchant=merchant.merchant, gestures=["HEAD_LEFT", "HEAD_OPEN_MOUTH"], number_of_gestures=2
    )
    event_record(session=session, kind="connected")
    event_record(session=session, kind="challenge_started",
                 data={"index": 0, "gesture": "HEAD_LEFT", "attempt": 1})  # fmt: skip
    session_image_save(session=session, kind="reference", jpeg=JPEG)
    event_record(session=session, kind="gesture_matched",
                 data={"index": 0, "gesture": "HEAD_LEFT", "duration_ms": 900})  # fmt: skip
    session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=0)
    event_record(session=session, kind="challenge_started",
                 data={"index": 1, "gesture": "HEAD_OPEN_MOUTH", "attempt": 1})  # fmt: skip
    event_record(session=session, kind="gesture_failed",
                 data={"index": 1, "gesture": "HEAD_OPEN_MOUTH", "gesture_status": "NOT_MATCH",
                       "detected_gesture": "HEAD_UP"})  # fmt: skip
    event_record(session=session, kind="verdict", data=FAILED)
    now_ms = int(timezone.now().timestamp() * 1000)
    samples = [
        {"t": now_ms - 3000 + i * 100, "faces": 1, "yaw": -20 + i, "pitch": 3.0, "roll": 1.0,
         "eye_left": 0.3, "eye_right": 0.31, "mouth": 0.05 + i / 100, "guidance": None,
         "phase": "challenge", "challenge": 0, "attempt": 1}
        for i in range(30)
    ]  # fmt: skip
    samples[10]["yaw"] = None  # a frame without a yaw breaks that line
    samples[20].update(faces=0, mouth=0.0)  # a frame without a face breaks every line
    session_timeline_append(session=session, samples=samples)
    LivenessSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.FINISHED, result=FAILED, finished_at=timezone.now()
    )
    session.refresh_from_db()
    return session


def listed_sids(response: Any) -> set[str]:
    assert response.status_code == 200
    return {str(s.sid) for s in response.context["page"].object_list}


# --- who may open it ------------------------------------------------------------------------
def test_it_sends_anonymous_visitors_to_the_admin_login(db: Any) -> None:
    response = Client().get(LIST + "?status=FINISHED")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/dashboard/%3Fstatus%3DFINISHED"


def test_it_refuses_logged_in_users_who_are_not_staff(member: Client, evidence: Any) -> None:
    assert member.get(LIST).status_code == 403
    assert member.get(detail_url(evidence)).status_code == 403
    image = evidence.images.first()
    assert member.get(f"{detail_url(evidence)}images/{image.pk}").status_code == 403


def test_it_ignores_merchants_api_credentials(merchant: MerchantPersona) -> None:
    response = Client().get(LIST, headers=merchant.headers)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_opens_for_staff_and_is_never_cached(staff: Client) -> None:
    response = staff.get(LIST)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_it_serves_frames_to_staff_only(staff: Client, evidence: LivenessSession) -> None:
    url = f"{detail_url(evidence)}images/{evidence.images.first().pk}"
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert Client().get(url).status_code == 302


def test_it_does_not_serve_another_sessions_frame_under_this_sid(
    staff: Client, evidence: LivenessSession, merchant: MerchantPersona
) -> None:
    other = finished(merchant)
    image = evidence.images.first()
    assert staff.get(f"{detail_url(other)}images/{image.pk}").status_code == 404


# --- the list and its filters ---------------------------------------------------------------
def test_the_merchant_filter_narrows_the_list(
    staff: Client, merchant: MerchantPersona, other_merchant: MerchantPersona
) -> None:
    mine, theirs = finished(merchant), finished(other_merchant)
    assert listed_sids(staff.get(LIST)) == {str(mine.sid), str(theirs.sid)}
    filtered = staff.get(LIST, {"merchant": other_merchant.merchant.pk})
    assert listed_sids(filtered) == {str(theirs.sid)}


def test_the_status_filter_narrows_the_list(staff: Client, merchant: MerchantPersona) -> None:
    done = finished(merchant)
    pending = LivenessSessionFactory(merchant=merchant.merchant)
    cancelled = LivenessSessionFactory(merchant=merchant.merchant, status=SessionStatus.CANCELLED)
    overdue = LivenessSessionFactory(
        merchant=merchant.merchant, expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert listed_sids(staff.get(LIST, {"status": "FINISHED"})) == {str(done.sid)}
    assert listed_sids(staff.get(LIST, {"status": "PENDING"})) == {str(pending.sid)}
    assert listed_sids(staff.get(LIST, {"status": "CANCELLED"})) == {str(cancelled.sid)}
    # Past its expiry the session is EXPIRED on the next read, with no background job.
    assert listed_sids(staff.get(LIST, {"status": "EXPIRED"})) == {str(overdue.sid)}


def test_the_kind_filter_narrows_the_list(staff: Client, merchant: MerchantPersona) -> None:
    active = finished(merchant)
    passive = LivenessSessionFactory(
        merchant=merchant.merchant, kind="passive", gestures=[], number_of_gestures=0
    )
    assert listed_sids(staff.get(LIST)) == {str(active.sid), str(passive.sid)}
    assert listed_sids(staff.get(LIST, {"kind": "active"})) == {str(active.sid)}
    assert listed_sids(staff.get(LIST, {"kind": "passive"})) == {str(passive.sid)}
    # An unknown kind is ignored, as every filter's invalid value is.
    assert listed_sids(staff.get(LIST, {"kind": "other"})) == {str(active.sid), str(passive.sid)}


def test_the_verdict_filter_narrows_the_list(staff: Client, merchant: MerchantPersona) -> None:
    passed, failed = finished(merchant, SUCCESS), finished(merchant, FAILED)
    undecided = LivenessSessionFactory(merchant=merchant.merchant)
    assert listed_sids(staff.get(LIST, {"verdict": "success"})) == {str(passed.sid)}
    assert listed_sids(staff.get(LIST, {"verdict": "failed"})) == {str(failed.sid)}
    assert listed_sids(staff.get(LIST, {"verdict": "none"})) == {str(undecided.sid)}


def test_the_date_filters_narrow_the_list(staff: Client, merchant: MerchantPersona) -> None:
    old, new = finished(merchant), finished(merchant)
    LivenessSession.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.now().date()
    assert listed_sids(staff.get(LIST, {"created_from": today.isoformat()})) == {str(new.sid)}
    before = (today - timedelta(days=5)).isoformat()
    assert listed_sids(staff.get(LIST, {"created_to": before})) == {str(old.sid)}
    window = {"created_from": (today - timedelta(days=11)).isoformat(), "created_to": before}
    assert listed_sids(staff.get(LIST, window)) == {str(old.sid)}


def test_an_invalid_filter_value_is_ignored_not_an_error(
    staff: Client, merchant: MerchantPersona
) -> None:
    session = finished(merchant)
    response = staff.get(LIST, {"status": "NOPE", "created_from": "yesterday", "merchant": "x"})
    assert listed_sids(response) == {str(session.sid)}


def test_the_list_shows_verdict_gestures_and_latest_review(
    staff: Client, merchant: MerchantPersona, reviewer: Any
) -> None:
    session = finished(merchant, FAILED)
    SessionReview.objects.create(session=session, reviewer=reviewer, decision="APPROVED")
    SessionReview.objects.create(
        session=session, reviewer=reviewer, decision="NEEDS_FOLLOW_UP", note="blurry"
    )
    html = staff.get(LIST).content.decode()
    assert str(session.sid)[:8] in html and merchant.merchant.name in html
    assert "failed" in html and "Needs follow-up" in html


def test_the_list_is_paginated_and_keeps_the_filters(
    staff: Client, merchant: MerchantPersona
) -> None:
    for _ in range(27):
        finished(merchant)
    first = staff.get(LIST, {"status": "FINISHED"})
    assert len(first.context["page"].object_list) == 25
    assert "?status=FINISHED&amp;page=2" in first.content.decode()
    second = staff.get(LIST, {"status": "FINISHED", "page": 2})
    assert len(second.context["page"].object_list) == 2


def test_deleted_sessions_are_absent(
    staff: Client, merchant: MerchantPersona, evidence: LivenessSession
) -> None:
    image = evidence.images.first()
    session_delete(merchant=merchant.merchant, sid=evidence.sid)
    assert str(evidence.sid) not in listed_sids(staff.get(LIST))
    assert staff.get(detail_url(evidence)).status_code == 404
    assert staff.get(f"{detail_url(evidence)}images/{image.pk}").status_code == 404


# --- the detail page ------------------------------------------------------------------------
def test_the_detail_shows_frames_audit_trail_and_result(
    staff: Client, evidence: LivenessSession
) -> None:
    html = staff.get(detail_url(evidence)).content.decode()
    images = list(evidence.images.all())
    assert len(images) == 2
    for image in images:
        assert f'src="/dashboard/sessions/{evidence.sid}/images/{image.pk}"' in html
    assert "/media/" not in html  # frames only through the staff-only view
    assert "Challenge 1 · HEAD_LEFT" in html
    assert "challenge 1: HEAD_LEFT matched in 900 ms" in html
    assert "challenge 2: HEAD_OPEN_MOUTH NOT_MATCH, saw HEAD_UP" in html
    assert "HEAD_OPEN_MOUTH" in html  # every requested gesture is listed
    assert "&quot;status&quot;: &quot;failed&quot;" in html  # the result JSON, pretty


def test_the_detail_plots_angles_and_openness_with_challenge_windows(
    staff: Client, evidence: LivenessSession
) -> None:
    html = staff.get(detail_url(evidence)).content.decode()
    svg = re.search(r"<svg class=\"plot\".*?</svg>", html, re.S)
    assert svg is not None
    series = re.findall(r'<polyline class="line" data-series="(\w+)"', svg.group(0))
    # Every line is broken where the face was lost; yaw also where it was missing.
    keys = ["yaw", "pitch", "roll", "eye_left", "eye_right", "mouth"]
    assert sorted(series) == sorted([*keys, *keys, "yaw"])
    assert svg.group(0).count('class="window matched"') == 1
    assert svg.group(0).count('class="window failed"') == 1
    assert "verdict: failed" in svg.group(0)
    for label in ("Yaw", "Pitch", "Roll", "Left eye", "Right eye", "Mouth"):
        assert label in html  # the legend


def test_a_session_without_samples_says_so_instead_of_a_plot(
    staff: Client, merchant: MerchantPersona
) -> None:
    html = staff.get(detail_url(finished(merchant))).content.decode()
    assert "<svg" not in html
    assert "No per-frame timeline was recorded" in html


def test_an_unknown_sid_is_not_found(staff: Client) -> None:
    assert staff.get("/dashboard/sessions/not-a-sid/").status_code == 404
    assert staff.get("/dashboard/sessions/01890000-0000-7000-8000-000000000000/").status_code == 404


# --- review decisions -----------------------------------------------------------------------
def review_url(session: LivenessSession) -> str:
    return f"{detail_url(session)}reviews"


def test_a_review_is_recorded_and_becomes_the_current_decision(
    staff: Client, reviewer: Any, evidence: LivenessSession
) -> None:
    first = staff.post(review_url(evidence), {"decision": "APPROVED", "note": ""})
    assert first.status_code == 302 and first["Location"] == detail_url(evidence)
    staff.post(review_url(evidence), {"decision": "REJECTED", "note": "  mask on the face  "})
    reviews = list(SessionReview.objects.filter(session=evidence))
    assert [(r.decision, r.note, r.reviewer) for r in reviews] == [
        ("REJECTED", "mask on the face", reviewer),
        ("APPROVED", "", reviewer),
    ]
    page = staff.get(detail_url(evidence))
    assert page.context["current_review"].decision == "REJECTED"
    assert "mask on the face" in page.content.decode()


@pytest.mark.parametrize("decision", ["REJECTED", "NEEDS_FOLLOW_UP"])
def test_a_note_is_required_to_reject_or_ask_for_follow_up(
    staff: Client, evidence: LivenessSession, decision: str
) -> None:
    response = staff.post(review_url(evidence), {"decision": decision, "note": "   "})
    assert response.status_code == 400
    assert "A note is required" in response.content.decode()
    assert not SessionReview.objects.exists()


def test_a_note_longer_than_2000_characters_is_refused(
    staff: Client, evidence: LivenessSession
) -> None:
    response = staff.post(review_url(evidence), {"decision": "APPROVED", "note": "x" * 2001})
    assert response.status_code == 400
    assert not SessionReview.objects.exists()


def test_a_pending_session_cannot_be_reviewed(staff: Client, merchant: MerchantPersona) -> None:
    pending = LivenessSessionFactory(merchant=merchant.merchant)
    response = staff.post(review_url(pending), {"decision": "APPROVED", "note": ""})
    assert response.status_code == 400
    assert "still pending" in response.content.decode()
    assert not SessionReview.objects.exists()


def test_reviewing_needs_a_csrf_token(reviewer: Any, evidence: LivenessSession) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    refused = client.post(review_url(evidence), {"decision": "APPROVED"})
    assert refused.status_code == 403
    assert not SessionReview.objects.exists()
    page = client.get(detail_url(evidence)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = client.post(
        review_url(evidence), {"decision": "APPROVED", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert SessionReview.objects.filter(session=evidence).count() == 1


def test_non_staff_users_cannot_record_reviews(member: Client, evidence: LivenessSession) -> None:
    assert member.post(review_url(evidence), {"decision": "APPROVED"}).status_code == 403
    assert Client().post(review_url(evidence), {"decision": "APPROVED"}).status_code == 302
    assert not SessionReview.objects.exists()


def test_the_admin_shows_reviews_read_only(
    staff: Client, reviewer: Any, evidence: LivenessSession
) -> None:
    reviewer.is_superuser = True
    reviewer.save()
    review = SessionReview.objects.create(session=evidence, reviewer=reviewer, decision="APPROVED")
    assert staff.get("/admin/liveness_sessions/sessionreview/").status_code == 200
    change = staff.get(f"/admin/liveness_sessions/sessionreview/{review.pk}/change/")
    assert change.status_code == 200
    assert 'name="decision"' not in change.content.decode()
    assert staff.get("/admin/liveness_sessions/sessionreview/add/").status_code == 403


def test_the_detail_plots_the_passive_score_of_the_scored_frames(
    staff: Client, evidence: LivenessSession
) -> None:
    spoofed = {**FAILED, "result": {**FAILED["result"], "reason": "SPOOF_SUSPECTED",
               "passive": {"spoof_percentage": 0.93, "status": "HIGH"}}}  # fmt: skip
    chunk = evidence.timeline.get()
    for i, sample in enumerate(chunk.samples):
        sample["live"] = 0.07 if i % 7 == 0 else None  # one frame in seven was scored
    chunk.save()
    LivenessSession.objects.filter(pk=evidence.pk).update(result=spoofed)
    html = staff.get(detail_url(evidence)).content.decode()
    svg = re.search(r"<svg class=\"plot\".*?</svg>", html, re.S)
    assert svg is not None
    dots = re.findall(r'<circle class="dot" data-series="live"', svg.group(0))
    assert len(dots) == 5  # frames 0, 7, 14, 21, 28; 20 has no face but was not scored
    assert re.search(r'<polyline class="line" data-series="live"', svg.group(0))
    assert "Live probability (anti-spoofing)" in html
    assert "HIGH (spoof 0.93): SPOOF_SUSPECTED" in html


def test_the_detail_plots_finger_states_over_time_for_a_hand_challenge(
    staff: Client, evidence: LivenessSession
) -> None:
    head_only = staff.get(detail_url(evidence)).content.decode()
    assert "Hand: fingers raised" not in head_only and "finger_index" not in head_only
    chunk = evidence.timeline.get()
    for i, sample in enumerate(chunk.samples):
        # No hand, then a fist, then index and middle raised (the frames of a hand challenge).
        sample["fingers"] = [] if i < 10 else ["00000"] if i < 15 else ["01100"]
    chunk.save()
    html = staff.get(detail_url(evidence)).content.decode()
    svg = re.search(r"<svg class=\"plot\".*?</svg>", html, re.S)
    assert svg is not None
    dots = re.findall(r'<circle class="dot" data-series="(finger_\w+)"', svg.group(0))
    raised = len(chunk.samples) - 15
    assert sorted(set(dots)) == ["finger_index", "finger_middle"]
    assert dots.count("finger_index") == dots.count("finger_middle") == raised
    assert re.search(r'<polyline class="line" data-series="finger_index"', svg.group(0))
    assert "Hand: fingers raised" in svg.group(0) and "Index finger raised" in html


def test_a_passive_session_is_listed_and_shown_with_its_frames_and_score(
    staff: Client, merchant: MerchantPersona, settings: Any, tmp_path: Any
) -> None:
    """CONTRACT §5's passive sessions: no gestures, the hold's frames and the passive score."""
    settings.MEDIA_ROOT = tmp_path
    spoof = {
        "status": "failed",
        "result": {"spoof_percentage": 0.91, "status": "HIGH", "reason": "SPOOF_SUSPECTED"},
    }
    session = LivenessSessionFactory(
        merchant=merchant.merchant, kind="passive", gestures=[], number_of_gestures=0
    )  # fmt: skip
    event_record(session=session, kind="started")
    session_image_save(session=session, kind="reference", jpeg=JPEG)
    session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=0)
    now_ms = int(timezone.now().timestamp() * 1000)
    session_timeline_append(session=session, samples=[
        {"t": now_ms + i * 100, "faces": 1, "yaw": 1.0, "pitch": 2.0, "roll": 0.0,
         "eye_left": 0.3, "eye_right": 0.3, "mouth": 0.05, "live": 0.09, "guidance": "ok",
         "phase": "hold", "challenge": None, "attempt": 1}
        for i in range(20)
    ])  # fmt: skip
    event_record(session=session, kind="verdict", data=spoof)
    LivenessSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.FINISHED, result=spoof, finished_at=timezone.now()
    )
    listed = staff.get(LIST).content.decode()
    assert '<span class="badge passive">passive</span>' in listed
    response = staff.get(detail_url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Passive session: the user held still, no gestures" in html
    assert "Gestures requested" not in html
    assert "HIGH (spoof 0.91): SPOOF_SUSPECTED" in html
    assert "Attempt 1 · end of the hold" in html
    assert "failed (HIGH)" in html  # the verdict in the audit trail
    svg = re.search(r"<svg class=\"plot\".*?</svg>", html, re.S)
    assert svg is not None
    assert len(re.findall(r'<circle class="dot" data-series="live"', svg.group(0))) == 20
