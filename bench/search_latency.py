"""Search latency over 1,000 and 10,000 generated services.

    .venv/bin/python bench/search_latency.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bawaba_bench .venv/bin/python bench/search_latency.py

Services are generated from the demo guides (each copy gets a governorate, another service's summary
sentence and its own number, so names and texts vary like a real national catalogue) into a
throwaway database, indexed with search_index_update, then searched with the queries of
bench/search_queries.json plus random two-word queries drawn from service names, each query three
times. Prints index build time, the time to rebuild the per-process lexicon after a change, and
latency percentiles of service_search (one page of 20, with departments), in milliseconds.
`--sizes 1000,10000` chooses the catalogue sizes.
"""

import json
import random
import sys
import time
from pathlib import Path

from search_support import child_engine, main, percentile

QUERIES = Path(__file__).resolve().parent / "search_queries.json"
RANDOM_QUERIES = 150
REPEATS = 3
LANGUAGES = ("ar", "ckb", "en")


def _sizes() -> list[int]:
    for argument in sys.argv[1:]:
        if argument.startswith("--sizes="):
            return [int(size) for size in argument.split("=", 1)[1].split(",")]
    return [1000, 10000]


def _load_departments_and_synonyms() -> list[dict]:
    from bawaba.catalog.demo import demo_document
    from bawaba.catalog.transfer.json_import import catalogue_import

    document = demo_document()
    templates = document["services"]
    document["services"] = []
    catalogue_import(document=document)
    return templates


def _generate(templates: list[dict], start: int, stop: int, rng: random.Random) -> list[int]:
    """Services number `start` to `stop - 1`, in bulk, with their steps, documents and fees."""
    from bawaba.catalog.models import Department, Governorate, RequiredDocument, Service, ServiceFee, ServiceStep

    departments = {department.slug: department for department in Department.objects.all()}
    governorates = list(Governorate.objects.all())
    services, children = [], []
    for number in range(start, stop):
        template = templates[number % len(templates)]
        other = templates[rng.randrange(len(templates))]
        governorate = governorates[number % len(governorates)]
        texts = {}
        for language in LANGUAGES:
            place = getattr(governorate, f"name_{language}") or governorate.name_ar
            texts[f"name_{language}"] = f"{template['name'][language]} ({place} {number})"[:250]
            extra = other["summary"][language].split(".")[0]
            texts[f"summary_{language}"] = f"{template['summary'][language]} {extra}."
            texts[f"eligibility_{language}"] = (template.get("eligibility") or {}).get(language, "")
        services.append(
            Service(
                slug=f"{template['slug']}-{number}",
                department=departments[template["department"]],
                popularity=rng.randrange(0, 100),
                is_demo=True,
                **texts,
            )
        )
        children.append(template)
    Service.objects.bulk_create(services, batch_size=500)
    steps, documents, fees = [], [], []
    for service, template in zip(services, children, strict=True):
        for position, step in enumerate(template.get("steps") or [], start=1):
            steps.append(
                ServiceStep(
                    service=service,
                    position=position,
                    location=step.get("location", "office"),
                    **{
                        f"{field}_{lang}": (step.get(field) or {}).get(lang, "")
                        for field in ("title", "body")
                        for lang in LANGUAGES
                    },
                )
            )
        for position, document in enumerate(template.get("documents") or [], start=1):
            documents.append(
                RequiredDocument(
                    service=service,
                    position=position,
                    **{
                        f"{field}_{lang}": (document.get(field) or {}).get(lang, "")
                        for field in ("name", "note")
                        for lang in LANGUAGES
                    },
                )
            )
        for position, fee in enumerate(template.get("fees") or [], start=1):
            fees.append(
                ServiceFee(
                    service=service,
                    position=position,
                    amount_iqd=fee["amount_iqd"],
                    **{f"label_{lang}": (fee.get("label") or {}).get(lang, "") for lang in LANGUAGES},
                )
            )
    ServiceStep.objects.bulk_create(steps, batch_size=1000)
    RequiredDocument.objects.bulk_create(documents, batch_size=1000)
    ServiceFee.objects.bulk_create(fees, batch_size=1000)
    return [service.pk for service in services]


def _queries(rng: random.Random) -> list[tuple[str, str]]:
    from bawaba.catalog.models import Service

    queries = [(item["q"], item["language"]) for item in json.loads(QUERIES.read_text("utf-8"))["queries"]]
    names = list(Service.objects.values_list("name_ar", "name_ckb", "name_en"))
    for _ in range(RANDOM_QUERIES):
        index = rng.randrange(len(LANGUAGES))
        # Words people would type: the generated copies' numbers and brackets are left out.
        words = [word for word in names[rng.randrange(len(names))][index].split() if word.isalpha() and len(word) > 2]
        words = words or ["passport"]
        queries.append((" ".join(rng.sample(words, min(2, len(words)))), LANGUAGES[index]))
    return queries


def _milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def measure() -> None:
    from django.db import connection

    from bawaba.catalog.models import SearchDocument, Service
    from bawaba.catalog.search import search_index_update, service_search
    from bawaba.catalog.search.lexicon import lexicon_cache

    rng = random.Random(2024)
    templates = _load_departments_and_synonyms()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"\nSearch latency on {child_engine()} {version} ({len(templates)} demo guides as templates)")
    generated = 0
    for size in _sizes():
        started = time.perf_counter()
        ids = _generate(templates, generated, size, rng)
        generate_ms = _milliseconds(started)
        started = time.perf_counter()
        search_index_update(service_ids=ids)
        index_ms = _milliseconds(started)
        generated = size
        lexicon_cache.clear()
        started = time.perf_counter()
        service_search(query="جواز", language="ar")
        cold_ms = _milliseconds(started)
        one = Service.objects.order_by("?").first()
        search_index_update(service_ids=[one.pk])  # an editor saves a service: every process rebuilds once
        started = time.perf_counter()
        service_search(query="جواز", language="ar")
        after_edit_ms = _milliseconds(started)
        queries = _queries(rng)
        timings, found = [], 0
        for _ in range(REPEATS):
            for query, language in queries:
                started = time.perf_counter()
                page = service_search(query=query, language=language)
                timings.append(_milliseconds(started))
                found += bool(page.count)
        indexed = SearchDocument.objects.count()
        print(
            f"  {size:>6,} services ({indexed:,} indexed): generated in {generate_ms / 1000:.1f} s, "
            f"indexed in {index_ms / 1000:.1f} s ({index_ms / len(ids):.2f} ms a service)"
        )
        print(f"         first search of a process {cold_ms:.0f} ms; first search after an edit {after_edit_ms:.0f} ms")
        print(
            f"         {len(queries)} queries × {REPEATS}: p50 {percentile(timings, 0.5):.1f} ms, "
            f"p95 {percentile(timings, 0.95):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms, "
            f"max {max(timings):.1f} ms; {found / REPEATS / len(queries):.0%} of queries found something"
        )


if __name__ == "__main__":
    main(__file__, measure)
