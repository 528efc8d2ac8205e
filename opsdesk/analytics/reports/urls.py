from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("export/", views.ExportView.as_view(), name="export"),
    path("exports/", views.ExportJobListView.as_view(), name="job_list"),
    path("exports/<int:pk>/", views.ExportJobDetailView.as_view(), name="job_detail"),
    path("exports/<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="job_download"),
    path("monthly/", views.MonthlyReportView.as_view(), name="monthly"),
    path("schedules/", views.ScheduleListView.as_view(), name="schedule_list"),
    path("schedules/<int:pk>/", views.ScheduleEditView.as_view(), name="schedule_edit"),
    path("schedules/<int:pk>/delete/", views.ScheduleDeleteView.as_view(), name="schedule_delete"),
]
