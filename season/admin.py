"""Admin: the season's run records (read-only), drafts and sweeps to read, and "run now"."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path

from .models import Draft, ReminderSent, SeasonRun, UnitSweep
from .tasks import season_daily_task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SeasonRun)
class SeasonRunAdmin(ReadOnlyAdmin):
    """Every run: when, what it produced, how long. "立即运行" queues the daily run now."""

    list_display = [
        "started_at",
        "kind",
        "year",
        "today",
        "agency",
        "seconds",
        "triggered_by",
        "error",
    ]
    list_filter = ["kind", "year"]
    readonly_fields = [f.name for f in SeasonRun._meta.fields]
    change_list_template = "admin/season/seasonrun/change_list.html"

    def get_urls(self):
        return [
            path(
                "run-now/",
                self.admin_site.admin_view(self.run_now),
                name="season_seasonrun_run_now",
            ),
            *super().get_urls(),
        ]

    def run_now(self, request):
        if request.method != "POST" or not request.user.is_superuser:
            messages.error(request, "只有系统管理员可以立即运行年报季任务。")
            return redirect("admin:season_seasonrun_changelist")
        force = request.POST.get("force_drafts") == "1"
        season_daily_task.delay(user_id=request.user.id, force_drafts=force)
        messages.success(request, "已提交年报季任务，运行完成后记录将出现在下方列表。")
        return redirect("admin:season_seasonrun_changelist")


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = [
        "agency",
        "year",
        "consolidated",
        "clean",
        "sweep_total",
        "revision",
        "computed_at",
    ]
    list_filter = ["year", "consolidated", "clean"]
    search_fields = ["agency__code", "agency__name"]
    readonly_fields = [f.name for f in Draft._meta.fields]


@admin.register(UnitSweep)
class UnitSweepAdmin(ReadOnlyAdmin):
    list_display = ["agency", "year", "swept_on", "total"]
    list_filter = ["year"]
    search_fields = ["agency__code", "agency__name"]
    readonly_fields = [f.name for f in UnitSweep._meta.fields]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "user", "subject", "dedupe_key"]
    search_fields = ["dedupe_key", "subject"]
