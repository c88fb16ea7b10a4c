"""The account's home page and the profile form."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bawaba.accounts.models import User
from bawaba.accounts.profile.forms import ProfileForm, profile_initial
from bawaba.accounts.profile.selectors import account_summary
from bawaba.accounts.profile.services import profile_update
from bawaba.core.errors import ValidationFailed


def _user(request: HttpRequest) -> User:
    # login_required let only signed-in people through
    return cast(User, request.user)


@require_GET
@never_cache
@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile/home.html", {"summary": account_summary(user=_user(request))})


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                changed = profile_update(user=user, changes=form.changes(), request=request)
            except ValidationFailed as failed:
                for field, errors in failed.fields.items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                messages.success(
                    request, _("Your profile is saved.") if changed else _("Nothing was changed in your profile.")
                )
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=profile_initial(user))
    return render(request, "accounts/profile/profile.html", {"form": form}, status=400 if form.errors else 200)
