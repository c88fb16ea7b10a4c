"""The search index: one row per service holding its texts already normalised and stemmed.

Texts are analysed in Python (bawaba.core.text), the same way on every database, so the database
only has to match whole terms. PostgreSQL indexes `vector` (built with the 'simple' configuration,
which just splits on spaces) with GIN; SQLite mirrors the three term columns into an FTS5 table kept
in step by triggers (see migration 0002).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    # Names normalised but not stemmed: for exact phrases and trigram similarity.
    name_ar = models.TextField(blank=True)
    name_ckb = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    # Stemmed terms, each once, by how much a match counts: names, then summaries, then the guide.
    name_terms = models.TextField(blank=True)
    summary_terms = models.TextField(blank=True)
    detail_terms = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only; NULL on SQLite
    indexed_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "catalog"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"search document of service {self.service_id}"
