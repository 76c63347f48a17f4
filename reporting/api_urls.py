from django.urls import path

from .api import AnnualReportView

urlpatterns = [
    path("reports/annual/", AnnualReportView.as_view(), name="reports-annual"),
]
