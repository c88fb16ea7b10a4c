from django.urls import path

from bawaba.accounts.signup import views

urlpatterns = [
    path("sign-up/", views.signup, name="signup"),
    path("verify/", views.verify, name="verify"),
    path("verify/resend/", views.verify_resend, name="verify_resend"),
    path("verify/restart/", views.verify_restart, name="verify_restart"),
    path("verify/status/", views.verify_status, name="verify_status"),
    path("verify/service-centre/", views.service_centre, name="verify_service_centre"),
]
