"""Case API: one view per operation; transitions are POST actions built from the same action
registry as the web pages and the admin (never a PATCH of the state)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from common import limits
from common.net import client_address
from common.pagination import ApiPagination

from .. import actions, rules
from ..models import STATE_FILTER_CHOICES, Case, CaseState, PersonalDataChannel
from ..selectors import case_get_for_user, case_list_for_user, case_state_lookup
from ..services import cases as services
from ..services.deadlines import case_deadline
from ..services.personal_data import personal_data_reveal
from .serializers import (
    CaseAssignInput,
    CaseEventOutput,
    CaseListQuery,
    CaseOutput,
    CaseRegisterInput,
    CaseUpdateInput,
    DeadlineOutput,
    PersonalDataOutput,
    PortalLookupInput,
    PortalRequestInput,
    PortalStatusOutput,
)
from .throttling import PortalThrottle


class CaseListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        responses=CaseOutput(many=True),
        summary="案件列表（本人可见范围）",
        parameters=[
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=[value for value, _ in STATE_FILTER_CHOICES],
                description="状态；finished：全部已办结（六种办结状态）",
            ),
            OpenApiParameter("agency", OpenApiTypes.STR, description="机关代码"),
        ],
    )
    def get(self, request):
        query = CaseListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = (
            case_list_for_user(request.user).select_related("agency").order_by("reply_due", "id")
        )
        if state := query.validated_data.get("state"):
            queryset = queryset.filter(**case_state_lookup(state))
        if code := query.validated_data.get("agency"):
            queryset = queryset.filter(agency__code=code)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        data = CaseOutput(rows, many=True, context={"today": timezone.localdate()}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=CaseRegisterInput, responses={201: CaseOutput}, summary="登记申请")
    def post(self, request):
        payload = CaseRegisterInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        agency = get_object_or_404(Agency, code=data.pop("agency"))
        case = services.case_register(agency=agency, by=request.user, data=data)
        return Response(
            CaseOutput(case, context={"today": timezone.localdate()}).data,
            status=status.HTTP_201_CREATED,
        )


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseOutput, summary="案件详情")
    def get(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        return Response(CaseOutput(case, context={"today": timezone.localdate()}).data)

    @extend_schema(
        request=CaseUpdateInput, responses=CaseOutput, summary="修改登记信息（记入历史）"
    )
    def patch(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        payload = CaseUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.case_update(case_id=case.id, by=request.user, **payload.validated_data)
        return Response(CaseOutput(case, context={"today": timezone.localdate()}).data)


class CaseAssignApi(APIView):
    @extend_schema(request=CaseAssignInput, responses=CaseOutput, summary="指定承办人")
    def post(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        payload = CaseAssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = services.case_assign(
            case_id=case.id,
            by=request.user,
            handler_id=data["handler"],
            reason=data.get("reason", ""),
            expected_version=data.get("expected_version"),
        )
        return Response(CaseOutput(case, context={"today": timezone.localdate()}).data)


class CaseHistoryApi(APIView):
    @extend_schema(responses=CaseEventOutput(many=True), summary="案件历史")
    def get(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        events = case.events.select_related("actor").order_by("at", "id")
        return Response(CaseEventOutput(events, many=True).data)


class CasePersonalDataApi(APIView):
    @extend_schema(
        request=None,
        responses=PersonalDataOutput,
        summary="显示申请人完整证件号码和电话（记录查看人、时间和案件）",
    )
    def post(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        values = personal_data_reveal(
            case=case,
            by=request.user,
            address=client_address(request),
            channel=PersonalDataChannel.API,
        )
        return Response(PersonalDataOutput(values).data)


class CaseDeadlineApi(APIView):
    @extend_schema(responses=DeadlineOutput, summary="答复期限及其计算过程")
    def get(self, request, public_id):
        case = case_get_for_user(request.user, public_id=public_id)
        return Response(case_deadline(case).as_dict())


def _date_field(p: actions.Param) -> serializers.DateField:
    make = limits.api_planned_date if p.planned else limits.api_event_date
    return make(required=p.required, help_text=p.help)


_FIELD_FOR_KIND = {
    "date": _date_field,
    "text": lambda p: serializers.CharField(
        required=p.required, help_text=p.help, max_length=p.max_length()
    ),
    "textarea": lambda p: serializers.CharField(required=p.required, help_text=p.help),
    "outcome": lambda p: serializers.ChoiceField(
        choices=actions.DECISION_OUTCOMES, required=p.required, help_text=p.help
    ),
    "int": lambda p: serializers.IntegerField(
        required=p.required,
        help_text=p.help,
        min_value=1,
        max_value=rules.MAX_EXTENSION_DAYS,
        error_messages={
            "min_value": rules.MSG_EXTENSION_DAYS,
            "max_value": rules.MSG_EXTENSION_DAYS,
        },
    ),
    "decimal": lambda p: limits.api_decimal(
        *p.column, min_value=0, required=p.required, help_text=p.help
    ),
}


def _action_serializer(action: actions.Action) -> type[serializers.Serializer]:
    fields = {p.name: _FIELD_FOR_KIND[p.kind](p) for p in action.params}
    if action.reason != "none":
        fields["reason"] = serializers.CharField(
            required=action.reason == "required", allow_blank=action.reason != "required"
        )
    fields["expected_version"] = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=limits.MAX_INT,
        help_text="客户端看到的版本号；不一致时返回 409",
    )
    return type(f"{action.name.title().replace('_', '')}Input", (serializers.Serializer,), fields)


def _action_view(action: actions.Action) -> type[APIView]:
    input_class = _action_serializer(action)

    class ActionApi(APIView):
        @extend_schema(
            request=input_class,
            responses={200: CaseOutput},
            summary=action.label,
            operation_id=f"requests_{action.name}",
        )
        def post(self, request, public_id):
            case = case_get_for_user(request.user, public_id=public_id)
            payload = input_class(data=request.data)
            payload.is_valid(raise_exception=True)
            case = actions.action_run(
                action, case=case, by=request.user, values=dict(payload.validated_data)
            )
            return Response(CaseOutput(case, context={"today": timezone.localdate()}).data)

    ActionApi.__name__ = f"{action.name.title().replace('_', '')}Api"
    return ActionApi


ACTION_VIEWS = {name: _action_view(action) for name, action in actions.ACTIONS.items()}


# --- public portal: no login, rate-limited, answers with a tracking code ---------------------
class PortalRequestApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PortalThrottle]
    portal_submission = True  # counted per applicant identity and globally too

    @extend_schema(
        request=PortalRequestInput, responses={201: PortalStatusOutput}, summary="网上提交申请"
    )
    def post(self, request):
        payload = PortalRequestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        agency = get_object_or_404(Agency, code=data.pop("agency"))
        case = services.case_submit_online(agency=agency, data=data)
        return Response(_portal_status(case), status=status.HTTP_201_CREATED)


class PortalStatusApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PortalThrottle]

    @extend_schema(responses=PortalStatusOutput, summary="凭查询码查询办理状态")
    def get(self, request, tracking_code):
        return Response(_portal_status(_portal_case(tracking_code)))


class PortalLookupApi(APIView):
    """The same lookup with the code in the body, so that it stays out of access-log URLs."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PortalThrottle]

    @extend_schema(
        request=PortalLookupInput,
        responses=PortalStatusOutput,
        summary="凭查询码查询办理状态（查询码在请求体中，不出现在网址里）",
    )
    def post(self, request):
        payload = PortalLookupInput(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(_portal_status(_portal_case(payload.validated_data["tracking_code"])))


def _portal_case(tracking_code: str) -> Case:
    return get_object_or_404(
        Case.objects.select_related("agency"), tracking_code=tracking_code.strip().upper()
    )


def _portal_status(case: Case) -> dict:
    return {
        "tracking_code": case.tracking_code,
        "agency": case.agency.name,
        "case_no": case.case_no,
        "received_on": case.received_on,
        "state": case.state,
        "state_label": CaseState(case.state).label,
        "reply_due": case.reply_due,
        "deadline_provisional": case.deadline_provisional,
        "closed_on": case.closed_on,
    }
