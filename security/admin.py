"""The security log for administrators: a read-only list with filters (who, what, when)."""

from django.contrib import admin

from .models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "address", "object_type", "object_repr"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "address", "object_id", "object_repr", "path"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in SecurityEvent._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            request.user.is_superuser or request.user.has_perm("security.view_securityevent")
        )
