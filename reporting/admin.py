from django.contrib import admin

from .models import PublishedReport, ReportSections


@admin.register(ReportSections)
class ReportSectionsAdmin(admin.ModelAdmin):
    list_display = ["agency", "year", "format_version", "updated_by", "updated_at"]
    list_filter = ["year", "format_version"]
    search_fields = ["agency__code", "agency__name"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(PublishedReport)
class PublishedReportAdmin(admin.ModelAdmin):
    """Snapshots are frozen: readable here, never edited or deleted."""

    list_display = [
        "agency",
        "year",
        "consolidated",
        "revision",
        "format_version",
        "published_by",
        "published_at",
    ]
    list_filter = ["year", "consolidated"]
    search_fields = ["agency__code", "agency__name"]
    exclude = ["docx"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
