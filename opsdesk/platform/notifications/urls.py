from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("badge/", views.NotificationBadgeView.as_view(), name="notification_badge"),
    path("read/", views.notification_read, name="notification_read"),
]
