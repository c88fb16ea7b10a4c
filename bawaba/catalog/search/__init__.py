"""Search over services, departments and guides. `service_search` is the one entry point."""

from bawaba.catalog.search.engine import search_index_update, service_search

__all__ = ["search_index_update", "service_search"]
