from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "title"]
    date_hierarchy = "created_at"
