"""Staff pages under /<lang>/staff/: the sign-in steps and in-person verification."""

from django.urls import path

from bawaba.accounts.staff import views

urlpatterns = [
    path("sign-in/", views.staff_sign_in, name="staff_sign_in"),
    path("sign-in/code/", views.staff_sign_in_code, name="staff_sign_in_code"),
    path("sign-in/set-up/", views.staff_set_up, name="staff_set_up"),
    path("sign-in/new-password/", views.staff_new_password, name="staff_new_password"),
    path("sign-in/continue/", views.staff_continue, name="staff_continue"),
    path("verify-in-person/", views.verify_in_person, name="staff_verify_in_person"),
]
