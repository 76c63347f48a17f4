from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("annual/<str:code>/<int:year>/", views.annual_report_page, name="annual"),
    path("annual/<str:code>/<int:year>/cell/<str:row>/<str:column>/", views.cell_list, name="cell"),
    path(
        "annual/<str:code>/<int:year>/table4/<str:kind>/<str:column>/",
        views.challenge_list,
        name="challenge_cell",
    ),
    path("annual/<str:code>/<int:year>/download.<str:ext>", views.report_download, name="download"),
    path("annual/<str:code>/<int:year>/publish/", views.report_publish, name="publish"),
    path(
        "annual/<str:code>/<int:year>/published/<int:revision>.<str:ext>",
        views.snapshot_download,
        name="snapshot",
    ),
    path("annual/<str:code>/<int:year>/sections/", views.sections_edit, name="sections"),
    path("statistics/<str:code>/<int:year>/", views.statistics_page, name="statistics"),
    path("circulars/", views.circular_home, name="circular_home"),
    path("circulars/<str:code>/", views.circular_index, name="circulars"),
    path("circulars/<str:code>/<int:year>/<int:month>/", views.circular_page, name="circular"),
    path(
        "circulars/<str:code>/<int:year>/<int:month>/download.<str:ext>",
        views.circular_download,
        name="circular_download",
    ),
    path("cases/<uuid:public_id>/challenges/", views.challenge_add, name="challenge_add"),
    path(
        "cases/<uuid:public_id>/challenges/<int:pk>/", views.challenge_edit, name="challenge_edit"
    ),
]
