from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are issued on the API keys page (the key is shown there once); the admin
    lists and revokes them."""

    list_display = ["name", "assignment", "key_start", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = [
        "name",
        "assignment",
        "key_start",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    search_fields = ["name", "assignment__user__email"]

    def has_add_permission(self, request):
        return False
