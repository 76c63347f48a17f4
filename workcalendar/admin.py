from django.contrib import admin

from .models import CalendarDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        if not obj.entered_by_id:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        case_deadlines_recompute_open(by=request.user, reason=f"录入 {obj.year} 年官方日历")

    def delete_model(self, request, obj):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        super().delete_model(request, obj)
        case_deadlines_recompute_open(by=request.user, reason=f"删除 {obj.year} 年官方日历")

    def delete_queryset(self, request, queryset):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        years = "、".join(str(y) for y in queryset.values_list("year", flat=True))
        super().delete_queryset(request, queryset)
        case_deadlines_recompute_open(by=request.user, reason=f"删除 {years} 年官方日历")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        super().save_model(request, obj, form, change)
        case_deadlines_recompute_open(by=request.user, reason=f"修改日历：{obj}")

    def delete_model(self, request, obj):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        super().delete_model(request, obj)
        case_deadlines_recompute_open(by=request.user, reason=f"删除日历日：{obj}")

    def delete_queryset(self, request, queryset):
        from requests_app.services.deadlines import case_deadlines_recompute_open

        count = queryset.count()
        super().delete_queryset(request, queryset)
        case_deadlines_recompute_open(by=request.user, reason=f"删除 {count} 个日历日")
