from django.urls import path

from bawaba.accounts.second_factor import views

urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/authenticator/", views.authenticator_start, name="authenticator_start"),
    path("security/authenticator/confirm/", views.authenticator_confirm, name="authenticator_confirm"),
    path("security/authenticator/remove/", views.authenticator_remove, name="authenticator_remove"),
    path("security/sms/", views.sms_start, name="sms_start"),
    path("security/sms/confirm/", views.sms_confirm, name="sms_confirm"),
    path("security/sms/resend/", views.sms_resend, name="sms_resend"),
    path("security/sms/remove/", views.sms_remove, name="sms_remove"),
    path("security/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
]
