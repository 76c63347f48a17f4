import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedPeriod",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveIntegerField(verbose_name="年度")),
                ("published_at", models.DateTimeField(auto_now_add=True, verbose_name="首次发布时间")),
                ("agency", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="agencies.agency")),
            ],
            options={"verbose_name": "已发布年度", "verbose_name_plural": "已发布年度", "ordering": ["agency", "year"]},
        ),
        migrations.AddConstraint(
            model_name="publishedperiod",
            constraint=models.UniqueConstraint(fields=("agency", "year"), name="published_period_unique"),
        ),
    ]
