from django.urls import path

from bawaba.accounts.second_factor import views

urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/authenticator/", views.authenticator_start, name="authenticator_start"),
    path("security/authenticator/confirm/", views.authenticator_confirm, name="authenticator_confirm"),
    path("security/authenticator/remove/", views.authenticator_remove, name="authenticator_remove"),
    path("security/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
]
