from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("thresholds/", views.ThresholdView.as_view(), name="thresholds"),
]
