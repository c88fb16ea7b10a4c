"""Catalogue pages. Thin: parse input, call one selector or service, render."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bawaba.catalog import selectors
from bawaba.catalog.constants import DepartmentKind
from bawaba.catalog.forms import FeedbackForm, SearchForm
from bawaba.catalog.search import service_search
from bawaba.catalog.services import service_feedback_record
from bawaba.core.i18n import current_language
from bawaba.core.ratelimit import client_address, rate_limit_check

SEARCH_PAGE_SIZE = 20
# Deep pages help nobody and huge offsets overflow the database.
MAX_SEARCH_PAGE = 500
FEEDBACK_PER_HOUR = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {
            "form": SearchForm(),
            "popular_services": selectors.service_popular(limit=8),
            "categories": selectors.category_list(),
            "life_events": selectors.life_event_list(),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), MAX_SEARCH_PAGE)
    except ValueError:
        page = 1
    results = (
        service_search(query=query, language=current_language(), page=page, page_size=SEARCH_PAGE_SIZE)
        if query
        else None
    )
    return render(request, "catalog/search.html", {"form": form, "query": query, "results": results})


@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.department_list())
    groups = [(label, [d for d in departments if d.kind == kind]) for kind, label in DepartmentKind.choices]
    return render(request, "catalog/department_list.html", {"groups": [g for g in groups if g[1]]})


@require_GET
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    department = selectors.department_get(slug=slug)
    return render(
        request,
        "catalog/department_detail.html",
        {
            "department": department,
            "services": selectors.service_list_for_department(department=department),
            "offices": selectors.department_offices(department=department),
        },
    )


@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get(slug=slug)
    return render(
        request,
        "catalog/service_detail.html",
        {"service": service, "feedback_form": FeedbackForm(), "feedback_sent": request.GET.get("feedback") == "sent"},
    )


@require_POST
def service_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get(slug=slug)
    # Anonymous by design, so limit per address to keep the operators' figures honest.
    rate_limit_check(scope="feedback", identity=client_address(request), limit=FEEDBACK_PER_HOUR, window_seconds=3600)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "catalog/service_detail.html",
            {"service": service, "feedback_form": form, "feedback_sent": False},
            status=400,
        )
    service_feedback_record(
        service=service,
        is_helpful=form.cleaned_data["is_helpful"],
        reason=form.cleaned_data["reason"],
        comment=form.cleaned_data["comment"],
        language=current_language(),
    )
    messages.success(request, _("Thank you. Your answer helps us improve this guide."))
    return redirect(f"{request.path.rsplit('feedback/', 1)[0]}?feedback=sent#feedback")


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    services = selectors.service_list_for_category(category=category)
    return render(request, "catalog/service_group.html", {"group": category, "services": services})


@require_GET
def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    life_event = selectors.life_event_get(slug=slug)
    services = selectors.service_list_for_life_event(life_event=life_event)
    return render(request, "catalog/service_group.html", {"group": life_event, "services": services})
