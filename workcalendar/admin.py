from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .hooks import calendar_changed
from .models import CalendarDay, CalendarYear
from .services import (
    CALENDAR_COLUMNS,
    CalendarImportFailed,
    calendar_file_read,
    calendar_year_check_complete,
    calendar_year_import,
)

UPLOAD_TITLE = "上传年度节假日安排（CSV）"
MSG_UPLOAD_DONE = (
    "已导入 {year} 年日历：放假 {holidays} 天，调休上班 {workdays} 天（替换原有 {replaced} 条）；"
    "已重新计算未办结案件的答复期限：{changed} 件期限变化。"
)
MSG_UPLOAD_FAILED = "导入失败，未导入任何数据（共 {n} 处错误）"


class CalendarYearForm(forms.ModelForm):
    """Marking a year official by hand: only when its entered days hold the statutory holidays
    (the same check as the CSV import, workcalendar.services)."""

    class Meta:
        model = CalendarYear
        fields = ["year", "source"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        problem = calendar_year_check_complete(year)
        if problem:
            raise forms.ValidationError(problem)
        return year


class CalendarUploadForm(forms.Form):
    file = forms.FileField(
        label="日历文件（.csv）",
        help_text=(
            f"列 {','.join(CALENDAR_COLUMNS)}；kind 为 holiday（放假）或 workday（调休上班）；"
            "所有日期属于同一年度，至少包含全部法定节假日；以 # 开头的行为注释。"
            "该年度已录入的日期被整体替换。"
        ),
    )
    source = forms.CharField(
        label="来源",
        required=False,
        max_length=CalendarYear._meta.get_field("source").max_length,
        help_text="如国务院办公厅通知的文号或网址；不填则记录文件名",
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="workcalendar_calendaryear_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """The `import_calendar` command in the admin: same reader, checks and import service;
        open deadlines are recomputed with a history row for each case whose deadline moved."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CalendarUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = calendar_file_read(upload.read(), filename=upload.name)
                result = calendar_year_import(
                    rows, by=request.user, source=form.cleaned_data["source"] or upload.name
                )
            except CalendarImportFailed as exc:
                errors = exc.errors
                form.add_error("file", MSG_UPLOAD_FAILED.format(n=len(errors)))
            else:
                messages.success(
                    request,
                    MSG_UPLOAD_DONE.format(
                        year=result.year,
                        holidays=result.holidays,
                        workdays=result.workdays,
                        replaced=result.replaced,
                        changed=result.cases_changed,
                    ),
                )
                return redirect(reverse("admin:workcalendar_calendaryear_changelist"))
        return TemplateResponse(
            request,
            "admin/workcalendar/calendaryear/upload.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "errors": errors,
                "opts": self.model._meta,
                "title": UPLOAD_TITLE,
            },
        )

    def save_model(self, request, obj, form, change):
        if not obj.entered_by_id:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        calendar_changed(by=request.user, reason=f"录入 {obj.year} 年官方日历")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed(by=request.user, reason=f"删除 {obj.year} 年官方日历")

    def delete_queryset(self, request, queryset):
        years = "、".join(str(y) for y in queryset.values_list("year", flat=True))
        super().delete_queryset(request, queryset)
        calendar_changed(by=request.user, reason=f"删除 {years} 年官方日历")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_changed(by=request.user, reason=f"修改日历：{obj}")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed(by=request.user, reason=f"删除日历日：{obj}")

    def delete_queryset(self, request, queryset):
        count = queryset.count()
        super().delete_queryset(request, queryset)
        calendar_changed(by=request.user, reason=f"删除 {count} 个日历日")
