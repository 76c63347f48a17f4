"""TestRequest → MockRequest (issue 12): a model named Test* was collected by pytest."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_test_request_exclusion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="TestRequest", new_name="MockRequest"),
    ]
