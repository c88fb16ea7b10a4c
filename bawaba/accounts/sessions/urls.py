from django.urls import path

from bawaba.accounts.sessions import views

urlpatterns = [
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/end/", views.session_end, name="session_end"),
    path("sessions/sign-out-everywhere/", views.sessions_sign_out_everywhere, name="sessions_sign_out_everywhere"),
    path("sessions/signed-out/", views.sessions_signed_out, name="sessions_signed_out"),
    path("confirm/", views.reauthenticate_page, name="reauthenticate"),
    path("password/", views.password_change_page, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
]
