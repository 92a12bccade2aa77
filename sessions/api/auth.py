"""Merchant authentication exactly as GLAIR's SDKs send it: `x-api-key` plus HTTP Basic."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sessions.models import Merchant
from sessions.ratelimit import auth_attempt, auth_succeeded, client_address
from sessions.services.credentials import merchant_authenticate


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise AuthenticationFailed("Authorization must be HTTP Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AuthenticationFailed("Authorization header is not valid base64") from exc
    username, sep, password = decoded.partition(":")
    if not sep:
        raise AuthenticationFailed("Basic credentials must be username:password")
    return username, password


class MerchantAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Merchant, None]:
        api_key = request.headers.get("x-api-key", "")
        authorization = request.headers.get("Authorization", "")
        if not api_key or not authorization:
            raise NotAuthenticated("send both x-api-key and Authorization: Basic headers")
        # Failed attempts are counted per api key and username from this address, and per
        # address; past the limits the attempt is refused (429) before it is judged.
        address = client_address(request.META)
        attempt = {"api_key": api_key}
        try:
            username, password = _basic_credentials(authorization)
        except AuthenticationFailed:
            auth_attempt(address=address, credentials=attempt)
            raise
        attempt["username"] = username
        auth_attempt(address=address, credentials=attempt)
        merchant = merchant_authenticate(api_key=api_key, username=username, password=password)
        if merchant is None:
            raise AuthenticationFailed("invalid credentials")
        auth_succeeded(address=address, credentials=attempt)
        return merchant, None

    def authenticate_header(self, request: Request) -> str:
        return 'Basic realm="glair-clone"'


class IsMerchant(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Merchant)
