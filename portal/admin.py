from django.contrib import admin

from .models import PortalSetting, Submission


@admin.register(PortalSetting)
class PortalSettingAdmin(admin.ModelAdmin):
    list_display = ("agency", "portal_confirm_by_staff")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "agency", "state", "submitted_on", "confirmed_at")
    list_filter = ("state",)
    exclude = ("data",)
    readonly_fields = (
        "agency",
        "tracking_code",
        "state",
        "submitted_on",
        "confirmed_by",
        "confirmed_at",
        "case_id",
    )

    def has_add_permission(self, request):
        return False
