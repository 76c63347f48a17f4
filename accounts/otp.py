"""The second factor (TOTP, django-otp): who has one, who must have one, enrolment."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Membership

DEVICE_NAME = "身份验证器"


def totp_device_confirmed(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user) -> bool:
    """Compulsory for the roles named in settings.OTP_REQUIRED_FOR_ROLES (default: none)."""
    roles = set(settings.OTP_REQUIRED_FOR_ROLES)
    if not roles or not user.is_authenticated:
        return False
    if "administrator" in roles and user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=roles).exists()


def totp_enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed device (created on first use): its secret is shown until a code
    from it confirms the enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps take it when typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_uri(device: TOTPDevice) -> str:
    return device.config_url


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """The URI as a QR code, an inline SVG made here (nothing fetched from outside)."""
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4))


def totp_confirm(device: TOTPDevice, token: str) -> bool:
    """Confirm the enrolment with a code from the app; other devices of the user are removed."""
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True
