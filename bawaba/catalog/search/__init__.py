"""Search over services, departments and guides. `service_search` is the one entry point for reading."""

from bawaba.catalog.search.engine import service_search
from bawaba.catalog.search.indexing import search_index_rebuild, search_index_update

__all__ = ["search_index_rebuild", "search_index_update", "service_search"]
