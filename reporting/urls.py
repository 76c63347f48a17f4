from django.urls import path, register_converter

from . import views
from .converters import ReportYearConverter

register_converter(ReportYearConverter, "report_year")

app_name = "reporting"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("annual/<str:code>/<report_year:year>/", views.annual_report_page, name="annual"),
    path(
        "annual/<str:code>/<report_year:year>/cell/<str:row>/<str:column>/",
        views.cell_list,
        name="cell",
    ),
    path(
        "annual/<str:code>/<report_year:year>/table4/<str:kind>/<str:column>/",
        views.challenge_list,
        name="challenge_cell",
    ),
    path(
        "annual/<str:code>/<report_year:year>/download.<str:ext>",
        views.report_download,
        name="download",
    ),
    path("annual/<str:code>/<report_year:year>/publish/", views.report_publish, name="publish"),
    path(
        "annual/<str:code>/<report_year:year>/published/<int:revision>.<str:ext>",
        views.snapshot_download,
        name="snapshot",
    ),
    path("annual/<str:code>/<report_year:year>/sections/", views.sections_edit, name="sections"),
    path("statistics/<str:code>/<report_year:year>/", views.statistics_page, name="statistics"),
    path("circulars/", views.circular_home, name="circular_home"),
    path("circulars/<str:code>/", views.circular_index, name="circulars"),
    path(
        "circulars/<str:code>/<report_year:year>/<int:month>/", views.circular_page, name="circular"
    ),
    path(
        "circulars/<str:code>/<report_year:year>/<int:month>/download.<str:ext>",
        views.circular_download,
        name="circular_download",
    ),
    path("cases/<uuid:public_id>/challenges/", views.challenge_add, name="challenge_add"),
    path(
        "cases/<uuid:public_id>/challenges/<int:pk>/", views.challenge_edit, name="challenge_edit"
    ),
]
