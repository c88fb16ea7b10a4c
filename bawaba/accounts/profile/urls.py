from django.urls import path

from bawaba.accounts.profile import views

urlpatterns = [
    path("", views.account_home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
]
