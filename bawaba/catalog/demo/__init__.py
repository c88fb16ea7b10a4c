"""Demo catalogue: departments from the reference facts, service guides written for this project.

Every record here is marked `is_demo`; the interface says so on every page.
"""

import json
from pathlib import Path
from typing import Any

DEMO_DIR = Path(__file__).resolve().parent
MEDIA_DIR = DEMO_DIR / "media"

LIST_KEYS = ("governorates", "categories", "life_events", "departments", "services", "synonyms")


def demo_document() -> dict[str, Any]:
    """All demo files merged into one catalogue document, in a stable order."""
    document: dict[str, Any] = {"format": "bawaba-catalogue", "version": 1} | {key: [] for key in LIST_KEYS}
    paths = [DEMO_DIR / "reference.json", DEMO_DIR / "synonyms.json", *sorted((DEMO_DIR / "services").glob("*.json"))]
    for path in paths:
        if not path.exists():
            continue
        part = json.loads(path.read_text(encoding="utf-8"))
        for key in LIST_KEYS:
            document[key].extend(part.get(key, []))
    return document
