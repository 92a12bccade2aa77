from __future__ import annotations

from typing import Any

from django import forms

from gestures.vocabulary import VerdictStatus
from sessions.dashboard.selectors import NO_VERDICT
from sessions.models import Merchant, ReviewDecision, SessionKind, SessionStatus
from sessions.services.reviews import NOTE_MAX_LENGTH, NOTE_REQUIRED_FOR


class SessionFilterForm(forms.Form):
    """The list's filters, read from GET; an invalid value is ignored, not an error page."""

    merchant = forms.ModelChoiceField(
        queryset=Merchant.objects.order_by("name"), required=False, empty_label="All merchants"
    )
    kind = forms.ChoiceField(
        choices=[("", "Active and passive"), *SessionKind.choices], required=False
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *SessionStatus.choices], required=False)
    verdict = forms.ChoiceField(
        choices=[
            ("", "Any verdict"),
            *((status.value, status.value.capitalize()) for status in VerdictStatus),
            (NO_VERDICT, "None"),
        ],
        required=False,
    )
    created_from = forms.DateField(
        required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        required=False, label="Created to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters, as the selector's keyword arguments."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in self.fields
            if name not in self.errors and cleaned.get(name) not in (None, "")
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "What you saw, and why"}),
        help_text="Required when rejecting or asking for follow-up.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") in NOTE_REQUIRED_FOR and not cleaned.get("note", "").strip():
            self.add_error("note", "A note is required for this decision.")
        return cleaned
