"""GET /api/v1/reports/annual/: the annual report as JSON (SPEC §9)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import report_agency_get_for_user
from .stats import ReportInputError, annual_report_build


class AnnualReportQuery(serializers.Serializer):
    agency = serializers.CharField(error_messages={"required": "agency：请提供机关代码"})
    year = serializers.IntegerField(
        min_value=1990,
        max_value=2100,
        error_messages={"required": "year：请提供报告年度", "invalid": "year：年度应为整数"},
    )
    format_version = serializers.ChoiceField(
        choices=["2019", "2021"],
        required=False,
        error_messages={"invalid_choice": "format_version：报表格式只能是 2019 或 2021"},
    )
    consolidated = serializers.BooleanField(required=False, default=False)


_row = inline_serializer(
    "Table3Row",
    {
        name: serializers.IntegerField()
        for name in [
            "natural_person",
            "commercial_enterprise",
            "research_institution",
            "social_welfare_org",
            "legal_service_org",
            "other_org",
            "total",
        ]
    },
)
AnnualReportOutput = inline_serializer(
    "AnnualReport",
    {
        "agency": serializers.CharField(),
        "year": serializers.IntegerField(),
        "format_version": serializers.ChoiceField(choices=["2019", "2021"]),
        "consolidated": serializers.BooleanField(),
        "table3": serializers.DictField(child=_row, help_text="每一行（SPEC §3 的行键）各列计数"),
        "table4": serializers.DictField(
            child=serializers.DictField(child=serializers.IntegerField()),
            help_text="review / litigation_direct / litigation_after_review 各自 upheld/corrected/other/pending/total",
        ),
        "consistent": serializers.BooleanField(),
    },
)


class AnnualReportView(APIView):
    """表三、表四 of an agency's annual report; staff of the agency or its supervisors only."""

    @extend_schema(
        operation_id="reports_annual",
        summary="政府信息公开工作年度报告（表三、表四）",
        parameters=[
            OpenApiParameter("agency", OpenApiTypes.STR, required=True, description="机关代码"),
            OpenApiParameter("year", OpenApiTypes.INT, required=True, description="报告年度"),
            OpenApiParameter(
                "format_version",
                OpenApiTypes.STR,
                enum=["2019", "2021"],
                description="报表格式；默认按年度（≤2020 用 2019 格式）",
            ),
            OpenApiParameter(
                "consolidated", OpenApiTypes.BOOL, description="汇总本级及全部下级机关"
            ),
        ],
        responses={
            200: AnnualReportOutput,
            400: OpenApiResponse(description="参数错误（指明字段）"),
            404: OpenApiResponse(description="机关不存在或无权查看"),
        },
    )
    def get(self, request):
        query = AnnualReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        agency = report_agency_get_for_user(
            request.user, code=params["agency"], consolidated=params["consolidated"]
        )
        try:
            report = annual_report_build(
                agency=agency,
                year=params["year"],
                format_version=params.get("format_version"),
                consolidated=params["consolidated"],
            )
        except ReportInputError as exc:
            raise serializers.ValidationError({exc.field or "detail": [exc.message]}) from exc
        return Response(report.as_json())
