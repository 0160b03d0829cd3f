from django.urls import path

from . import views

urlpatterns = [
    path("office/statistics/", views.statistics_page, name="office-statistics"),
    path("office/statistics/export.xlsx", views.statistics_export, name="office-statistics-export"),
    path(
        "office/statistics/summary.docx", views.statistics_summary, name="office-statistics-summary"
    ),
]
