from django.contrib import admin

from smartunion.core.admin import ReadOnlyAdmin

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__name", "recipient__staff_no"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["notification", "channel", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["channel", "status"]
