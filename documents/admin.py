"""Admin: documents are read here (the workbench is where they are worked); no adding or
changing boxes behind the services' back."""

from django.contrib import admin

from .models import Document, PublicationSuggestion, RedactionBox, ReleaseSignoff


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "case", "page_count", "source_kind", "released_at", "for_publication"]
    list_filter = ["source_kind", "for_publication"]
    search_fields = ["title", "case__case_no", "original_sha256"]


@admin.register(RedactionBox)
class RedactionBoxAdmin(ReadOnlyAdmin):
    list_display = ["document", "page", "kind", "ground", "state", "decided_by", "decided_at"]
    list_filter = ["ground", "state", "kind"]


@admin.register(ReleaseSignoff)
class ReleaseSignoffAdmin(ReadOnlyAdmin):
    list_display = ["case", "signed_by", "signed_at"]


@admin.register(PublicationSuggestion)
class PublicationSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["agency", "state", "created_at", "decided_by"]
    list_filter = ["state"]
