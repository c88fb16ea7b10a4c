"""Machine endpoints of the notifications app, outside the language prefix: providers' callbacks."""

from django.urls import path

from bawaba.notifications import receipt_views

app_name = "notifications"

urlpatterns = [
    path("receipts/<slug:provider>/", receipt_views.http_receipt, name="http_receipt"),
]
