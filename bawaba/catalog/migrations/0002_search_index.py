"""The search index (catalog.SearchDocument) and what each database needs to search it.

PostgreSQL: the pg_trgm extension and a GIN index on the tsvector column. SQLite: an FTS5 table with
external content mirroring the term columns, triggers that keep it in step with every insert, update
and delete, and two fts5vocab tables that list its terms. Existing services are indexed here, so an
upgraded database searches at once.

A later migration that alters catalog_searchdocument on SQLite makes Django rebuild the table and
drop these triggers: such a migration must create them again (see SQLITE_TRIGGERS).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

POSTGRES_FORWARD = [
    "CREATE INDEX catalog_searchdocument_vector_gin ON catalog_searchdocument USING gin (vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalog_searchdocument_vector_gin"]

SQLITE_TRIGGERS = [
    """CREATE TRIGGER catalog_searchdocument_fts_insert AFTER INSERT ON catalog_searchdocument BEGIN
        INSERT INTO catalog_searchdocument_fts(rowid, name_terms, summary_terms, detail_terms)
        VALUES (new.service_id, new.name_terms, new.summary_terms, new.detail_terms);
    END""",
    """CREATE TRIGGER catalog_searchdocument_fts_delete AFTER DELETE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_searchdocument_fts(catalog_searchdocument_fts, rowid, name_terms, summary_terms, detail_terms)
        VALUES ('delete', old.service_id, old.name_terms, old.summary_terms, old.detail_terms);
    END""",
    """CREATE TRIGGER catalog_searchdocument_fts_update AFTER UPDATE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_searchdocument_fts(catalog_searchdocument_fts, rowid, name_terms, summary_terms, detail_terms)
        VALUES ('delete', old.service_id, old.name_terms, old.summary_terms, old.detail_terms);
        INSERT INTO catalog_searchdocument_fts(rowid, name_terms, summary_terms, detail_terms)
        VALUES (new.service_id, new.name_terms, new.summary_terms, new.detail_terms);
    END""",
]
SQLITE_FORWARD = [
    # The terms are already normalised and stemmed in Python; unicode61 only has to split on spaces.
    """CREATE VIRTUAL TABLE catalog_searchdocument_fts USING fts5(name_terms, summary_terms, detail_terms,
        content='catalog_searchdocument', content_rowid='service_id', tokenize='unicode61 remove_diacritics 0')""",
    "CREATE VIRTUAL TABLE catalog_searchdocument_fts_terms USING fts5vocab(catalog_searchdocument_fts, 'row')",
    "CREATE VIRTUAL TABLE catalog_searchdocument_fts_column_terms USING fts5vocab(catalog_searchdocument_fts, 'col')",
    *SQLITE_TRIGGERS,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchdocument_fts_insert",
    "DROP TRIGGER IF EXISTS catalog_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_searchdocument_fts_update",
    "DROP TABLE IF EXISTS catalog_searchdocument_fts_column_terms",
    "DROP TABLE IF EXISTS catalog_searchdocument_fts_terms",
    "DROP TABLE IF EXISTS catalog_searchdocument_fts",
]


class TrigramExtensionOnPostgres(TrigramExtension):
    """Django's operation skips other databases going forwards but not backwards; this skips both ways."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def index_existing_services(apps, schema_editor):
    from bawaba.catalog.search.indexing import build_documents, with_guides

    service_model = apps.get_model("catalog", "Service")
    document_model = apps.get_model("catalog", "SearchDocument")
    services = with_guides(service_model.objects.using(schema_editor.connection.alias).order_by("pk"))
    documents = build_documents(services.iterator(chunk_size=500), document_model)
    document_model.objects.using(schema_editor.connection.alias).bulk_create(documents, batch_size=500)
    if schema_editor.connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        document_model.objects.using(schema_editor.connection.alias).update(
            vector=SearchVector("name_terms", weight="A", config="simple")
            + SearchVector("summary_terms", weight="B", config="simple")
            + SearchVector("detail_terms", weight="C", config="simple")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        TrigramExtensionOnPostgres(),  # a no-op outside PostgreSQL
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.service",
                    ),
                ),
                ("name_ar", models.TextField(blank=True)),
                ("name_ckb", models.TextField(blank=True)),
                ("name_en", models.TextField(blank=True)),
                ("name_terms", models.TextField(blank=True)),
                ("summary_terms", models.TextField(blank=True)),
                ("detail_terms", models.TextField(blank=True)),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ("indexed_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(index_existing_services, migrations.RunPython.noop),
    ]
