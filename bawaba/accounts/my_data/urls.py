from django.urls import path

from bawaba.accounts.my_data import views

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("my-data/views/", views.data_access_log, name="data_access_log"),
    path("my-data/delete/", views.delete_account, name="delete_account"),
    path("my-data/deleted/", views.account_deleted, name="account_deleted"),
]
