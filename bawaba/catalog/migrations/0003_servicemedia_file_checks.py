"""Media file fields check what a new file is by its bytes (bawaba.catalog.media.validate_media_file)."""

from django.db import migrations, models

import bawaba.catalog.media
import bawaba.catalog.models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="servicemedia",
            name="captions_ar",
            field=models.FileField(
                blank=True,
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="captions (Arabic, WebVTT)",
            ),
        ),
        migrations.AlterField(
            model_name="servicemedia",
            name="captions_ckb",
            field=models.FileField(
                blank=True,
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="captions (Kurdish, WebVTT)",
            ),
        ),
        migrations.AlterField(
            model_name="servicemedia",
            name="captions_en",
            field=models.FileField(
                blank=True,
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="captions (English, WebVTT)",
            ),
        ),
        migrations.AlterField(
            model_name="servicemedia",
            name="image",
            field=models.ImageField(
                blank=True,
                height_field="height",
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="image",
                width_field="width",
            ),
        ),
        migrations.AlterField(
            model_name="servicemedia",
            name="poster",
            field=models.ImageField(
                blank=True,
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="poster image",
            ),
        ),
        migrations.AlterField(
            model_name="servicemedia",
            name="video_file",
            field=models.FileField(
                blank=True,
                upload_to=bawaba.catalog.models.media_upload_to,
                validators=[bawaba.catalog.media.validate_media_file],
                verbose_name="video file",
            ),
        ),
    ]
