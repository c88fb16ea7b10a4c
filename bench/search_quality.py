"""Search quality on the demo catalogue: how often the expected service is in the top three.

    .venv/bin/python bench/search_quality.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bawaba_bench .venv/bin/python bench/search_quality.py

Loads the demo catalogue (load_demo --force) into a throwaway database, runs every query of
bench/search_queries.json through service_search, and prints top-1, top-3 and mean reciprocal rank,
overall, per language and per kind of query, then every query that missed. `--lenient` drops links
to related services and offices that do not exist yet, for when the demo files are being edited.
"""

import io
import json
import sys
from collections import defaultdict
from pathlib import Path

from search_support import child_engine, main

QUERIES = Path(__file__).resolve().parent / "search_queries.json"
TARGET = 0.90


def _load_demo(*, lenient: bool) -> None:
    from django.core.management import call_command

    if not lenient:
        call_command("load_demo", "--force", stdout=io.StringIO())
        return
    from bawaba.catalog.demo import MEDIA_DIR, demo_document
    from bawaba.catalog.transfer.json_import import catalogue_import

    document = demo_document()
    slugs = {service["slug"] for service in document["services"]}
    offices = {office["code"] for department in document["departments"] for office in department.get("offices", [])}
    for service in document["services"]:
        service["related_services"] = [slug for slug in service.get("related_services", []) if slug in slugs]
        service["offices"] = [code for code in service.get("offices", []) if code in offices]
    catalogue_import(document=document, media_root=MEDIA_DIR)


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / total:.1f}%" if total else "n/a"


def measure() -> None:
    from bawaba.catalog.models import Service
    from bawaba.catalog.search import service_search

    _load_demo(lenient="--lenient" in sys.argv)
    known = set(Service.objects.filter(is_published=True).values_list("slug", flat=True))
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    evaluated, absent, misses = [], [], []
    by_group: dict[str, list[int]] = defaultdict(list)
    for item in queries:
        if item["expected"] not in known:
            absent.append(item)
            continue
        page = service_search(query=item["q"], language=item["language"], page_size=10)
        slugs = [service.slug for service in page.results]
        position = slugs.index(item["expected"]) + 1 if item["expected"] in slugs else 0
        evaluated.append(position)
        by_group[f"language {item['language']}"].append(position)
        by_group[f"kind {item['kind']}"].append(position)
        if not 1 <= position <= 3:
            misses.append((item, position, slugs[:3]))
    total = len(evaluated)
    top1 = sum(p == 1 for p in evaluated)
    top3 = sum(1 <= p <= 3 for p in evaluated)
    mrr = sum(1 / p for p in evaluated if p) / total if total else 0.0
    print(f"\nSearch quality on {child_engine()}: {len(known)} published demo services, {len(queries)} queries")
    print(f"  top-3: {_share(top3, total)} (target {TARGET:.0%})")
    print(f"  top-1: {_share(top1, total)}")
    print(f"  mean reciprocal rank (first 10): {mrr:.3f}")
    for group in sorted(by_group):
        positions = by_group[group]
        print(f"    {group:<22} top-3 {_share(sum(1 <= p <= 3 for p in positions), len(positions))}")
    if absent:
        print(f"  not evaluated, expected service not in the catalogue: {len(absent)}")
        for item in absent:
            print(f"    {item['q']!r} → {item['expected']}")
    for item, position, first in misses:
        where = f"at {position}" if position else "not in first 10"
        print(
            f"  miss: {item['q']!r} ({item['language']}, {item['kind']}) → {item['expected']} {where}; top 3: {first}"
        )
    if total and top3 / total < TARGET:
        print(f"  below target: {top3 / total:.1%} < {TARGET:.0%}")


if __name__ == "__main__":
    main(__file__, measure)
