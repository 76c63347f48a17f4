"""Admin: campaigns and their history, read-mostly. Nothing is deleted; writes go through the
pages (which call `audits.services`)."""

from django.contrib import admin

from .models import AuditEvent, Campaign, ChecklistItem, ItemScore, MockRequest


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(NoDeleteAdmin):
    list_display = ["name", "supervising_agency", "period_start", "period_end", "status"]
    list_filter = ["status"]


@admin.register(MockRequest)
class MockRequestAdmin(NoDeleteAdmin):
    list_display = ["campaign", "number", "agency", "channel", "sent_on", "expected_outcome"]
    list_filter = ["campaign"]
    raw_id_fields = ["case"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(NoDeleteAdmin):
    list_display = ["campaign", "position", "key", "label", "weight"]


@admin.register(ItemScore)
class ItemScoreAdmin(NoDeleteAdmin):
    list_display = ["test_request", "item", "verdict", "suggested_verdict", "scored_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(NoDeleteAdmin):
    list_display = ["at", "campaign", "test_request", "kind", "actor"]
