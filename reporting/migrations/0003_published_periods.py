"""Publications made before the periods app existed lock their years there too."""

from django.db import migrations


def copy_publications(apps, schema_editor):
    published = apps.get_model("reporting", "PublishedReport")
    period = apps.get_model("periods", "PublishedPeriod")
    for agency_id, year in published.objects.values_list("agency_id", "year").distinct():
        period.objects.get_or_create(agency_id=agency_id, year=year)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_circular"),
        ("periods", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_publications, migrations.RunPython.noop)]
