"""Describes the merchant credentials to drf-spectacular (imported for its registration)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class MerchantAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sessions.api.auth.MerchantAuthentication"
    name = ["ApiKey", "BasicAuth"]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {"type": "apiKey", "in": "header", "name": "x-api-key"},
            {"type": "http", "scheme": "basic"},
        ]

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        # Both at once, not either: one requirement object naming the two schemes.
        return {"ApiKey": [], "BasicAuth": []}
