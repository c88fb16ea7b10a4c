"""Search over services, departments and guides. `service_search` is the one entry point."""

from bawaba.catalog.search.engine import service_search

__all__ = ["service_search"]
