"""The public portal's limits (SPEC §9: the portal's endpoints are rate-limited).

Three limits, each an exact counter (common.ratelimit), checked in this order:
- per client address (common.net.client_address: X-Forwarded-For only from trusted proxies),
  for every portal request (submissions and status lookups): PORTAL_RATE_ADDRESS, a rate per
  minute and one per day;
- per applicant identity (identity number or credit code, and phone), for submissions:
  PORTAL_RATE_IDENTITY, so that rotating addresses does not multiply one applicant's requests;
- a global ceiling on submissions from everyone: PORTAL_RATE_GLOBAL.
A request refused by one limit is not counted by the limits after it."""

from __future__ import annotations

import re

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from common.net import client_address
from common.ratelimit import Rate, pseudonym, rate_hit


def portal_identities(data) -> list[str]:
    """The applicant's identifiers in a submission, normalised (upper case, no spaces; phones
    as digits only)."""
    if not hasattr(data, "get"):
        return []
    identities = []
    for field in ("applicant_id_number", "applicant_credit_code"):
        value = re.sub(r"\s", "", str(data.get(field) or "")).upper()
        if value:
            identities.append(f"id:{value}")
    phone = re.sub(r"\D", "", str(data.get("applicant_phone") or ""))
    if phone:
        identities.append(f"phone:{phone}")
    return identities


def _rates(setting: str | list[str]) -> list[Rate]:
    """One rate ('30/minute') or several that must all hold ('30/minute,300/day')."""
    texts = setting.split(",") if isinstance(setting, str) else setting
    return [Rate.parse(text) for text in texts if text.strip()]


def portal_limits_hit(request, *, submission: bool, data=None) -> int:
    """Count one portal request against the limits; 0 if allowed, else the seconds to wait.
    The JSON API (PortalThrottle) and the public pages (portal.views) both ask this, so a
    client has one budget whichever door it uses."""
    checks = [("portal-address", client_address(request), settings.PORTAL_RATE_ADDRESS)]
    if submission:
        checks += [
            ("portal-identity", pseudonym(ident), settings.PORTAL_RATE_IDENTITY)
            for ident in portal_identities(data)
        ]
        checks.append(("portal-global", "all", settings.PORTAL_RATE_GLOBAL))
    for scope, ident, setting in checks:
        for rate in _rates(setting):
            wait = rate_hit(scope, ident, rate)
            if wait:
                return wait
    return 0


class PortalThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        submission = request.method == "POST" and getattr(view, "portal_submission", False)
        self._wait = portal_limits_hit(request, submission=submission, data=request.data)
        return not self._wait

    def wait(self) -> int:
        return self._wait
