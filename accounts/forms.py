from django import forms
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm

from .otp import totp_device_confirmed

MSG_OTP_REQUIRED = "此账号已启用两步验证，请输入身份验证器上的 6 位动态验证码"
MSG_OTP_INVALID = "动态验证码不正确或已过期"


class LoginForm(AuthenticationForm):
    """User name and password (through django-axes), then the TOTP code once the user has
    enrolled one. A wrong code counts as a failed login for the lockout."""

    otp_token = forms.CharField(
        label="动态验证码",
        required=False,
        max_length=8,
        help_text="已启用两步验证的账号填写",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    otp_device = None

    def clean(self):
        cleaned = super().clean()
        device = totp_device_confirmed(self.user_cache)
        if device is not None:
            token = (cleaned.get("otp_token") or "").strip()
            if not token or not device.verify_token(token):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username")},
                    request=self.request,
                )
                message = MSG_OTP_INVALID if token else MSG_OTP_REQUIRED
                raise forms.ValidationError({"otp_token": message})
            self.otp_device = device
        return cleaned


class TotpConfirmForm(forms.Form):
    token = forms.CharField(label="动态验证码", max_length=8)
