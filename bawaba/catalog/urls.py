from django.urls import path

from bawaba.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<slug:slug>/", views.department_detail, name="department_detail"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("services/<slug:slug>/feedback/", views.service_feedback, name="service_feedback"),
    path("categories/<slug:slug>/", views.category_detail, name="category_detail"),
    path("life-events/<slug:slug>/", views.life_event_detail, name="life_event_detail"),
]
