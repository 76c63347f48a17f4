"""Number sequences kept in a counter row (case numbers, letter numbers)."""

from django.db import models


def counter_row_locked(model: type[models.Model], **key):
    """The counter row for `key` (created at 0 if missing), locked until the transaction ends,
    so that concurrent callers take numbers one after the other."""
    model.objects.bulk_create([model(**key)], ignore_conflicts=True)
    return model.objects.select_for_update().get(**key)
