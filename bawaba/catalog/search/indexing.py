"""Keeping the search index in step with the catalogue.

The importer calls `search_index_update` for what it wrote, the admin after each save; `search_reindex`
(management command) rebuilds everything. A service that is gone loses its document; one that is
unpublished keeps it, because searches filter on `is_published` and republishing then needs no reindex.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, fields
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from bawaba.catalog.models import Service
from bawaba.catalog.search.analysis import DocumentTexts, document_texts
from bawaba.catalog.search.backends import backend_for
from bawaba.catalog.search.models import SearchDocument

M = TypeVar("M", bound=Model)

BATCH_SIZE = 500  # stays under SQLite's limit on query parameters
DOCUMENT_FIELDS = [*(field.name for field in fields(DocumentTexts)), "indexed_at"]


def _batches(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH_SIZE):
        yield list(ids[start : start + BATCH_SIZE])


def with_guides(services: QuerySet[Any]) -> QuerySet[Any]:
    """Services with everything `document_texts` reads, in a fixed number of queries."""
    return services.select_related("department").prefetch_related(
        "categories", "life_events", "steps", "documents", "fees"
    )


def build_documents(services: Iterable[Any], document_model: type[M]) -> list[M]:
    """Unsaved index rows for these services (`document_model` may be a migration's historical model)."""
    now = timezone.now()
    return [
        document_model(service_id=service.pk, indexed_at=now, **asdict(document_texts(service))) for service in services
    ]


def search_index_update(*, service_ids: Iterable[int]) -> None:
    """Refresh what search knows about these services after they change (admin edits, imports, deletions)."""
    ids = sorted(set(service_ids))
    backend = backend_for()
    with transaction.atomic():
        for batch in _batches(ids):
            documents = build_documents(with_guides(Service.objects.filter(pk__in=batch)), SearchDocument)
            # An upsert, so two editors saving the same service at once cannot collide; on SQLite the
            # update triggers keep FTS5 in step.
            SearchDocument.objects.bulk_create(
                documents, update_conflicts=True, unique_fields=["service"], update_fields=DOCUMENT_FIELDS
            )
            written = [document.pk for document in documents]
            SearchDocument.objects.filter(pk__in=batch).exclude(pk__in=written).delete()  # services now gone
            backend.documents_written(written)


def search_index_rebuild() -> int:
    """Index every service from scratch; returns how many were indexed."""
    backend = backend_for()
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchDocument.objects.exclude(pk__in=Service.objects.values("pk")).delete()
        search_index_update(service_ids=ids)
        backend.index_rebuilt()
    return len(ids)
