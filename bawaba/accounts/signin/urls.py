from django.urls import path

from bawaba.accounts.signin import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_second_factor, name="sign_in_second_factor"),
    path("sign-in/code/sms/", views.sign_in_second_factor_sms, name="sign_in_second_factor_sms"),
    path("sign-out/", views.sign_out_view, name="sign_out"),
]
