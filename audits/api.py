"""REST API of the audits (read-only): the campaigns a user may see and a campaign's results.
The same access functions as the pages (404 for a campaign the user may not see)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class CampaignOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    supervising_agency = serializers.CharField(source="supervising_agency.code")
    agencies = serializers.SerializerMethodField()

    def get_agencies(self, obj) -> list[str]:
        return sorted(a.code for a in obj.agencies.all())


class CampaignListApi(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CampaignOut

    @extend_schema(responses=CampaignOut(many=True), summary="我可以查看的测评")
    def get(self, request):
        campaigns = selectors.campaign_list_for_user(request.user).prefetch_related("agencies")
        return Response(CampaignOut(campaigns, many=True).data)


def _num(value):
    return None if value is None else float(value)


class CampaignResultsApi(APIView):
    """Per-agency scores (ranked), per-item pass rates and the problems found."""

    permission_classes = [IsAuthenticated]
    serializer_class = CampaignOut

    @extend_schema(
        summary="测评结果：各机关得分排名、评分项通过率、发现的问题",
        responses=inline_serializer(
            "CampaignResults",
            {
                "campaign": CampaignOut(),
                "agencies": serializers.ListField(child=serializers.DictField()),
                "items": serializers.ListField(child=serializers.DictField()),
                "problems": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request, pk: int):
        campaign = selectors.campaign_get_for_user(request.user, pk)
        results = selectors.campaign_results(campaign)
        return Response(
            {
                "campaign": CampaignOut(campaign).data,
                "agencies": [
                    {
                        "agency": r.agency.code,
                        "rank": r.rank,
                        "score": _num(r.score),
                        "earned": r.earned,
                        "possible": r.possible,
                        "test_requests": r.test_requests,
                        "fails": r.fails,
                    }
                    for r in results.agencies
                ],
                "items": [
                    {
                        "key": i.item.key,
                        "label": i.item.label,
                        "weight": i.item.weight,
                        "pass": i.passes,
                        "fail": i.fails,
                        "not_applicable": i.not_applicable,
                        "cannot_tell": i.cannot_tell,
                        "pass_rate": _num(i.rate),
                    }
                    for i in results.items
                ],
                "problems": [
                    {
                        "agency": p.agency.code,
                        "test_request": p.test_request.code,
                        "item": p.item.key,
                        "note": p.note,
                    }
                    for p in results.problems
                ],
            }
        )
