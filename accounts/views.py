"""Login with the second factor, TOTP enrolment, and the API token's rotation."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django_otp import login as otp_login
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from common.net import client_address

from .authentication import token_expires_at
from .forms import LoginForm, TotpConfirmForm
from .otp import (
    totp_confirm,
    totp_device_confirmed,
    totp_enrolment_device,
    totp_qr_svg,
    totp_secret,
    totp_uri,
)

log = logging.getLogger("ogi.security")

MSG_OTP_ENROLLED = "两步验证已启用：以后登录时需要输入动态验证码。"
MSG_OTP_WRONG = "动态验证码不正确，请核对手机时间后重试"


class OgiLoginView(LoginView):
    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


@login_required
def otp_setup(request):
    """Shows the secret and the otpauth URI of a new TOTP device; a code from the app confirms
    it. The QR code is drawn here: nothing is fetched from outside."""
    enrolled = totp_device_confirmed(request.user)
    if enrolled is not None:
        return render(request, "registration/otp_setup.html", {"enrolled": enrolled})
    device = totp_enrolment_device(request.user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_confirm(device, form.cleaned_data["token"]):
            otp_login(request, device)
            log.info(
                "second factor enrolled: user=%s address=%s",
                request.user.username,
                client_address(request),
            )
            messages.success(request, MSG_OTP_ENROLLED)
            return redirect("otp_setup")
        form.add_error("token", MSG_OTP_WRONG)
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "secret": totp_secret(device),
            "uri": totp_uri(device),
            "qr": totp_qr_svg(device),
        },
    )


class TokenRotateApi(APIView):
    """A new API token for the caller (logged in, or holding a token that has not expired); the
    old token stops working at once."""

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "TokenOutput",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            )
        },
        summary="换发 API 令牌（旧令牌立即失效）",
    )
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        log.info(
            "api token rotated: user=%s address=%s", request.user.username, client_address(request)
        )
        return Response(
            {"token": token.key, "expires_at": token_expires_at(token)},
            status=status.HTTP_201_CREATED,
        )
