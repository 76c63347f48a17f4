"""Letters API: one view per operation, writes through the services, reads through case access."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common import limits
from common.downloads import file_download
from requests_app.models import DeliveryMethod
from requests_app.selectors import case_get_for_user
from security.events import security_event_record
from security.kinds import SecurityEventKind

from . import services, variants
from .models import LETTER_KINDS, Delivery, Letter
from .selectors import letter_download_name, letter_get_for_user, letter_list_for_case

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class LetterOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    case = serializers.UUIDField(source="case.public_id")
    replaces = serializers.SerializerMethodField()
    detail_fields = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "case",
            "kind",
            "outcome",
            "state",
            "number",
            "issued_on",
            "issued_at",
            "render_status",
            "render_error",
            "sha256",
            "details",
            "body",
            "replaces",
            "detail_fields",
        ]

    def get_detail_fields(self, letter) -> list[dict]:
        """The letter's detail fields with the hint shown beside each (never in the text) and
        whether the issuing gate requires it given the other details."""
        required = {
            f.name for f in variants.required_fields(letter.kind, letter.outcome, letter.details)
        }
        return [
            {
                "name": f.name,
                "label": f.label,
                "hint": f.hint,
                "kind": f.kind,
                "choices": [{"value": k, "label": v} for k, v in f.choices],
                "required": f.name in required,
            }
            for f in variants.fields_for(letter.kind, letter.outcome)
        ]

    def get_replaces(self, letter) -> str | None:
        return str(letter.replaces.public_id) if letter.replaces_id else None


class LetterDraftInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LETTER_KINDS)
    outcome = limits.api_text(Letter, "outcome", required=False, allow_blank=True)
    details = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    replaces = serializers.UUIDField(required=False)


class LetterEditInput(serializers.Serializer):
    details = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LetterIssueInput(serializers.Serializer):
    on = limits.api_event_date(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeliveryInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    sent_on = limits.api_event_date()
    tracking_number = limits.api_text(
        Delivery, "tracking_number", required=False, allow_blank=True, default=""
    )
    email = limits.api_email(Delivery, "email", required=False, allow_blank=True, default="")
    received_on = limits.api_event_date(required=False, allow_null=True, default=None)
    note = limits.api_text(Delivery, "note", required=False, allow_blank=True, default="")


class CaseLettersApi(APIView):
    @extend_schema(responses=LetterOutput(many=True), summary="案件的文书")
    def get(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        return Response(LetterOutput(letter_list_for_case(case), many=True).data)

    @extend_schema(request=LetterDraftInput, responses={201: LetterOutput}, summary="拟写文书草稿")
    def post(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        payload = LetterDraftInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        replaces_id = None
        if data.get("replaces"):
            replaced = Letter.objects.filter(public_id=data["replaces"], case=case).first()
            replaces_id = replaced.id if replaced else -1
        letter = services.letter_draft(
            case_id=case.id,
            by=request.user,
            kind=data["kind"],
            outcome=data.get("outcome") or None,
            details=data.get("details"),
            replaces_id=replaces_id,
        )
        return Response(LetterOutput(letter).data, status=status.HTTP_201_CREATED)


class LetterDetailApi(APIView):
    @extend_schema(responses=LetterOutput, summary="文书")
    def get(self, request, public_id):
        return Response(LetterOutput(letter_get_for_user(request.user, public_id=public_id)).data)


class LetterEditApi(APIView):
    @extend_schema(request=LetterEditInput, responses=LetterOutput, summary="修改文书草稿")
    def post(self, request, public_id):
        letter = letter_get_for_user(request.user, public_id=public_id)
        payload = LetterEditInput(data=request.data)
        payload.is_valid(raise_exception=True)
        letter = services.letter_update(
            letter_id=letter.id, by=request.user, **payload.validated_data
        )
        return Response(LetterOutput(letter).data)


class LetterApproveApi(APIView):
    @extend_schema(request=None, responses=LetterOutput, summary="审核文书")
    def post(self, request, public_id):
        letter = letter_get_for_user(request.user, public_id=public_id)
        letter = services.letter_approve(letter_id=letter.id, by=request.user)
        return Response(LetterOutput(letter).data)


class LetterIssueApi(APIView):
    @extend_schema(
        request=LetterIssueInput, responses=LetterOutput, summary="签发文书（编号、定稿、生成文件）"
    )
    def post(self, request, public_id):
        letter = letter_get_for_user(request.user, public_id=public_id)
        payload = LetterIssueInput(data=request.data)
        payload.is_valid(raise_exception=True)
        letter = services.letter_issue(
            letter_id=letter.id, by=request.user, **payload.validated_data
        )
        return Response(LetterOutput(letter).data)


class LetterDeliveryApi(APIView):
    @extend_schema(request=DeliveryInput, responses={201: None}, summary="登记送达")
    def post(self, request, public_id):
        letter = letter_get_for_user(request.user, public_id=public_id)
        payload = DeliveryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        delivery = services.delivery_record(
            letter_id=letter.id, by=request.user, **payload.validated_data
        )
        return Response(
            {"id": delivery.id, "method": delivery.method}, status=status.HTTP_201_CREATED
        )


class LetterFileApi(APIView):
    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY}, summary="下载文书 .docx")
    def get(self, request, public_id):
        letter = letter_get_for_user(request.user, public_id=public_id)
        data = services.letter_file_bytes(letter)
        security_event_record(
            SecurityEventKind.DOWNLOAD,
            request=request,
            obj=letter,
            object_repr=letter.number or letter.get_kind_display(),
            details={"what": "letter_docx", "case": str(letter.case.public_id)},
        )
        response = file_download(
            data,
            letter_download_name(letter, "docx"),
            DOCX,
        )
        if letter.sha256:
            response["X-Content-SHA256"] = letter.sha256
        return response
