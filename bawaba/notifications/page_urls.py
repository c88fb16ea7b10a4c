"""Pages of the notifications app, inside the language prefix."""

from django.urls import path

from bawaba.notifications import dev_views

app_name = "notifications_pages"

urlpatterns = [
    path("dev/outbox/", dev_views.outbox, name="dev_outbox"),
]
