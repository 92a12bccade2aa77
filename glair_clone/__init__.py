from __future__ import annotations

from glair_clone.celery import app as celery_app

__all__ = ["celery_app"]
