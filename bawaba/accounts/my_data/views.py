"""My data pages: the overview, the download, the log of staff views, and deleting the account.

Every page works on the signed-in person's own account only: no page takes an account id, so there
is nothing to change in an address to reach someone else's data.
"""

from typing import cast

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bawaba.accounts.models import User
from bawaba.accounts.my_data import services
from bawaba.accounts.my_data.forms import DeleteAccountForm
from bawaba.accounts.personal_data import personal_data_access_list_for_citizen
from bawaba.accounts.sessions.reauth import reauthentication_required

ACCESS_LOG_PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    # login_required or reauthentication_required let only signed-in people through
    return cast(User, request.user)


@require_GET
@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/my_data/index.html",
        {
            "access_count": personal_data_access_list_for_citizen(citizen=user).count(),
            "is_deletable": services.account_is_deletable(user),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@reauthentication_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    """GET (where the re-authentication sends people back to) offers the button; only a POST makes the file."""
    if request.method != "POST":
        return render(request, "accounts/my_data/download.html")
    download = services.my_data_download(user=_user(request), request=request)
    response = HttpResponse(download.content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@never_cache
@login_required
def data_access_log(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(personal_data_access_list_for_citizen(citizen=_user(request)), ACCESS_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/my_data/access_log.html", {"page": page})


@require_http_methods(["GET", "POST"])
@never_cache
@reauthentication_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    is_deletable = services.account_is_deletable(user)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and not is_deletable:
        status = 403  # the page says why; nothing is touched
    elif request.method == "POST" and form.is_valid():
        services.account_delete(user=user, request=request)
        logout(request)
        return redirect("accounts:account_deleted")
    elif form.errors:
        status = 400
    return render(
        request,
        "accounts/my_data/delete.html",
        {"form": form, "is_deletable": is_deletable},
        status=status,
    )


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_data/deleted.html")
