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
    _merge_media(document["services"])
    return document


def _merge_media(services: list[dict[str, Any]]) -> None:
    """Attach the pictures and videos of media/media.json to the services they were made for.

    The media files are kept apart from the guides so that guides can be rewritten without touching
    them. A picture meant for a step that a rewritten guide no longer has is shown with the guide.
    """
    mapping_path = MEDIA_DIR / "media.json"
    if not mapping_path.exists():
        return
    mapping: dict[str, list[dict[str, Any]]] = json.loads(mapping_path.read_text(encoding="utf-8"))
    for service in services:
        items = mapping.get(service.get("slug", ""))
        if not items:
            continue
        step_count = len(service.get("steps") or [])
        media = list(service.get("media") or [])
        for item in items:
            item = dict(item)
            if item.get("step") is not None and not 1 <= item["step"] <= step_count:
                del item["step"]
            media.append(item)
        service["media"] = media
