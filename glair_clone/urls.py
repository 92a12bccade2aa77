from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from sessions import demo_views, views
from sessions.admin import admin_login
from sessions.api.errors import json_error
from sessions.middleware import API_PREFIX

urlpatterns = [
    path("face/v1/", include("sessions.api.urls")),
    path("face/active-liveness/<str:token>", views.liveness_page, name="liveness-page"),
    path(
        "face/passive-liveness/<str:token>",
        views.passive_liveness_page,
        name="passive-liveness-page",
    ),
    # Before admin.site.urls: the same URL, with failed sign-ins throttled.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("dashboard/", include("sessions.dashboard.urls")),
    path("demo/", demo_views.demo_home, name="demo-home"),
    path("demo/start", demo_views.demo_start, name="demo-start"),
    path("demo/done", demo_views.demo_done, name="demo-done"),
]


def _error_page(request: HttpRequest, status: int, reason: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(status, reason, message)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "NOT_FOUND", "not found")


def handler500(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500, "INTERNAL_ERROR", "internal error; try again later")


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "BAD_REQUEST", "bad request")


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "FORBIDDEN", "forbidden")
