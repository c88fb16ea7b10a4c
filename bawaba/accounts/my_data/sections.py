"""Sections of the "My data" download that other apps add: cases, participation, single sign-on...

An app registers one collector per section from its AppConfig.ready:

    from bawaba.accounts.my_data import sections
    sections.register("cases", case_export_for_citizen)

A collector takes the person and returns JSON-able data (dicts, lists, strings, numbers, booleans,
None; dates as ISO 8601 strings). It must leave out secrets (codes, tokens, digests, hashes) and other
people's personal data. The accounts app's own sections come first and their names are reserved.
"""

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from bawaba.accounts.models import User

Collect = Callable[[User], Any]

# The accounts app's own sections (my_data/export.py), in the order they appear in the file.
BUILTIN_SECTION_NAMES: tuple[str, ...] = (
    "account",
    "profile",
    "account_events",
    "sessions",
    "phone_verifications",
    "second_factor_devices",
    "staff_roles",
    "staff_views",
    "messages",
)
RESERVED_NAMES = frozenset({"format", "exported_at", *BUILTIN_SECTION_NAMES})
_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")

_registry: dict[str, Collect] = {}


def register(name: str, collect: Collect) -> None:
    """Add the section `name`. The same collector again is harmless; another one under a taken name is refused."""
    if not _NAME.fullmatch(name) or name in RESERVED_NAMES:
        raise ImproperlyConfigured(f"'{name}' cannot name a section of the personal data download")
    existing = _registry.get(name)
    if existing is not None and existing is not collect:
        raise ImproperlyConfigured(f"The personal data download already has a section '{name}'")
    _registry[name] = collect


def unregister(name: str) -> None:
    """For tests that register a section of their own."""
    _registry.pop(name, None)


def registered_sections() -> list[tuple[str, Collect]]:
    """Other apps' sections, in the order they were registered."""
    return list(_registry.items())
