from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/export.xlsx", views.search_export, name="search-export"),
]
