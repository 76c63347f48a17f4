"""Admin: every model, history read-only, the available transitions as buttons on the case
page (each runs the same service as the web pages and the API)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_fsm_log.admin import StateLogInline

from . import actions
from .models import (
    Attachment,
    Case,
    CaseEvent,
    ClockEvent,
    LegalChallenge,
    PersonalDataView,
)
from .rules import RuleViolation
from .services.deadlines import case_deadline


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "kind", "transition", "from_state", "to_state", "actor", "reason", "changes"]
    readonly_fields = fields


class ClockEventInline(ReadOnlyInline):
    model = ClockEvent
    fields = ["on", "kind", "days", "note"]
    readonly_fields = fields


class LegalChallengeInline(ReadOnlyInline):
    """Review and litigation records are edited on the case page (through the service that
    writes the history), read here."""

    model = LegalChallenge
    fields = ["kind", "filed_on", "result", "concluded_on", "note"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "case_no",
        "agency",
        "applicant_name",
        "applicant_type",
        "channel",
        "received_on",
        "state",
        "reply_due",
        "deadline_provisional",
        "outcome",
        "closed_on",
    ]
    list_filter = ["state", "channel", "applicant_type", "deadline_provisional", "agency"]
    search_fields = ["case_no", "applicant_name", "content"]
    date_hierarchy = "received_on"
    change_form_template = "admin/requests_app/case/change_form.html"
    inlines = [ClockEventInline, CaseEventInline, StateLogInline, LegalChallengeInline]
    readonly_fields = [f.name for f in Case._meta.concrete_fields if f.name != "id"]

    def has_delete_permission(self, request, obj=None):
        return False  # cases are never deleted

    def has_add_permission(self, request):
        return False  # registration goes through the intake service (web page or import)

    def get_urls(self):
        return [
            path(
                "<int:case_id>/act/<str:action>/",
                self.admin_site.admin_view(self.act_view),
                name="requests_app_case_act",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = get_object_or_404(Case, pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "available_actions": actions.actions_available(case, request.user),
            "deadline": case_deadline(case),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def act_view(self, request, case_id: int, action: str):
        case = get_object_or_404(Case, pk=case_id)
        spec = actions.ACTIONS.get(action)
        if spec is None or spec not in actions.actions_available(case, request.user):
            raise PermissionDenied
        form_class = actions.action_form_class(spec)
        form = form_class(request.POST or None, initial={"expected_version": case.version})
        if request.method == "POST" and form.is_valid():
            values = dict(form.cleaned_data)
            try:
                actions.action_run(spec, case=case, by=request.user, values=values)
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已执行：{spec.label}")
                return redirect(reverse("admin:requests_app_case_change", args=[case.pk]))
        return TemplateResponse(
            request,
            "admin/requests_app/case/act.html",
            {
                **self.admin_site.each_context(request),
                "case": case,
                "action": spec,
                "form": form,
                "opts": self.model._meta,
                "title": spec.label,
            },
        )


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["at", "case", "kind", "transition", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["case__case_no", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalChallenge)
class LegalChallengeAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "filed_on", "result", "concluded_on"]
    list_filter = ["kind", "result"]
    raw_id_fields = ["case"]

    # Edited on the case page through reporting.services (history, table four); read here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "original_name", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["case"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    """The record of who saw applicants' full numbers: read only, for administrators."""

    list_display = ["at", "viewer", "case", "channel", "fields", "address"]
    list_filter = ["channel", "at"]
    search_fields = ["viewer__username", "case__case_no"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
