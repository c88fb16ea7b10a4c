from django.urls import path

from bawaba.api.v1 import api

urlpatterns = [path("", api.urls)]
