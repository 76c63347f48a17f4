from django.urls import path

from .api import CampaignListApi, CampaignResultsApi

urlpatterns = [
    path("audits/campaigns/", CampaignListApi.as_view(), name="audits-campaign-list"),
    path(
        "audits/campaigns/<int:pk>/results/",
        CampaignResultsApi.as_view(),
        name="audits-campaign-results",
    ),
]
