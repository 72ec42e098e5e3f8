"""The carrier webhook: a carrier integration posts tracking events for a tracking number.

``POST /backoffice/logistics/webhook/<carrier code>/`` with ``Authorization: Bearer <token>``
(issued in the admin, only its hash is stored) and a JSON body::

    {"tracking_number": "SF1234567890",
     "events": [{"time": "2026-11-27T09:30:00+08:00", "location": "深圳", "description": "已揽收",
                 "delivered": false}]}

Answers 200 ``{"shipment", "status", "created"}``; 401 for a missing or wrong token, 404
for an unknown carrier or tracking number, 400 for a malformed body — errors in the API's
``{"error": {"code", "message", "fields"}}`` shape. Posting the same events again adds
nothing (retries are safe). No session, no CSRF: the token is the credential.
"""

import datetime as dt
import json

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from dms.core.errors import DomainError

from . import services
from .models import Carrier

MAX_BODY = 256 * 1024
MAX_EVENTS = 500


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status)


def _parse(body: bytes) -> tuple[str, list[dict], dict]:
    """(tracking number, events, field errors)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "", [], {"body": [_("Send a JSON object.")]}
    if not isinstance(data, dict):
        return "", [], {"body": [_("Send a JSON object.")]}
    errors: dict[str, list[str]] = {}
    tracking = data.get("tracking_number")
    if not isinstance(tracking, str) or not tracking.strip():
        errors["tracking_number"] = [_("This field is required.")]
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        errors["events"] = [_("Send a non-empty list of events.")]
        raw_events = []
    elif len(raw_events) > MAX_EVENTS:
        errors["events"] = [_("At most %(n)d events per request.") % {"n": MAX_EVENTS}]
        raw_events = []
    events = []
    for i, item in enumerate(raw_events):
        if not isinstance(item, dict):
            errors[f"events.{i}"] = [_("Each event is an object.")]
            continue
        when = None
        if isinstance(item.get("time"), str):
            try:
                when = dt.datetime.fromisoformat(item["time"].strip())
            except ValueError:
                when = None
        if when is None:
            errors[f"events.{i}.time"] = [_("Give the time in ISO 8601, e.g. 2026-11-27T09:30:00+08:00.")]
        elif timezone.is_naive(when):
            when = timezone.make_aware(when)
        description = item.get("description")
        if not isinstance(description, str) or not description.strip():
            errors[f"events.{i}.description"] = [_("This field is required.")]
        elif len(description.strip()) > 255:
            errors[f"events.{i}.description"] = [_("At most 255 characters.")]
        location = item.get("location") or ""
        if not isinstance(location, str) or len(location) > 128:
            errors[f"events.{i}.location"] = [_("At most 128 characters.")]
        delivered = item.get("delivered", False)
        if not isinstance(delivered, bool):
            errors[f"events.{i}.delivered"] = [_("Use true or false.")]
        if not any(k.startswith(f"events.{i}") for k in errors):
            events.append({"occurred_at": when, "description": description.strip(), "location": location.strip(),
                           "is_delivery": delivered})
    return (tracking or "").strip() if isinstance(tracking, str) else "", events, errors


@csrf_exempt
@require_POST
def carrier_webhook(request, code):
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    with scopes_disabled():  # no user: the carrier's token decides, then any shipment of that carrier
        carrier = Carrier.objects.filter(code__iexact=code, is_active=True).first()
        if carrier is None:
            return _error(404, "not_found", _("Unknown carrier."))
        if not token or not carrier.check_webhook_token(token):
            response = _error(401, "not_authenticated", _("Send the carrier's webhook token as a Bearer token."))
            response["WWW-Authenticate"] = 'Bearer realm="carrier-webhook"'
            return response
        if len(request.body) > MAX_BODY:
            return _error(400, "validation_error", _("The request is too large."))
        tracking, events, errors = _parse(request.body)
        if errors:
            return _error(400, "validation_error", _("Some fields are invalid."), errors)
        try:
            shipment, created = services.record_carrier_events(carrier=carrier, tracking_number=tracking,
                                                               events=events)
        except DomainError as exc:
            return _error(exc.status, exc.code, exc.message, exc.fields)
        shipment.refresh_from_db(fields=["status"])
    return JsonResponse({"shipment": shipment.number, "status": shipment.status, "created": created})
