from django.urls import path

from bawaba.accounts.phone_change import views

urlpatterns = [
    path("phone/", views.phone_change, name="phone_change"),
    path("phone/verify/", views.phone_change_verify_page, name="phone_change_verify"),
    path("phone/status/", views.phone_change_status, name="phone_change_status"),
    path("phone/resend/", views.phone_change_resend_page, name="phone_change_resend"),
    path("phone/cancel/", views.phone_change_cancel, name="phone_change_cancel"),
    path("phone/done/", views.phone_change_done, name="phone_change_done"),
]
