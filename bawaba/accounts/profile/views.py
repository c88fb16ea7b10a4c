"""The account's home page and the profile form."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile/home.html")
