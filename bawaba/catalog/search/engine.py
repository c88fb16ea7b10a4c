"""Service search (first cut: substring match; replaced by the normalising, typo-tolerant engine)."""

from django.db.models import Q

from bawaba.catalog.models import Service
from bawaba.catalog.selectors import SearchPage


def service_search(
    *,
    query: str,
    language: str,
    department: str | None = None,
    category: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    services = Service.objects.filter(is_published=True).select_related("department")
    if department:
        services = services.filter(department__slug=department)
    if category:
        services = services.filter(categories__slug=category)
    for word in query.split():
        services = services.filter(
            Q(name_ar__icontains=word)
            | Q(name_en__icontains=word)
            | Q(name_ckb__icontains=word)
            | Q(summary_ar__icontains=word)
            | Q(summary_en__icontains=word)
            | Q(summary_ckb__icontains=word)
        )
    count = services.count()
    start = (page - 1) * page_size
    return SearchPage(count=count, results=list(services[start : start + page_size]), page=page, page_size=page_size)


def search_index_update(*, service_ids: list[int]) -> None:
    """Refresh what search knows about these services after they change (admin edits, imports).

    The substring engine reads the live tables, so there is nothing to refresh yet.
    """
