from django.urls import path

from bawaba.accounts.recovery import views

urlpatterns = [
    path("recover/", views.recover, name="recover"),
    path("recover/password/", views.recover_password, name="recover_password"),
]
