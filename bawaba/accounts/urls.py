"""Citizens' account pages under /<lang>/account/, one module of routes per part of the app."""

from django.urls import include, path

app_name = "accounts"

urlpatterns = [
    path("account/", include("bawaba.accounts.signup.urls")),
    path("account/", include("bawaba.accounts.recovery.urls")),
    path("account/", include("bawaba.accounts.signin.urls")),
    path("account/", include("bawaba.accounts.second_factor.urls")),
    path("account/", include("bawaba.accounts.sessions.urls")),
    path("account/", include("bawaba.accounts.phone_change.urls")),
    path("account/", include("bawaba.accounts.profile.urls")),
    path("account/", include("bawaba.accounts.my_data.urls")),
    path("staff/", include("bawaba.accounts.staff.urls")),
]
