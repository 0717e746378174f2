from django.contrib import admin

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_cs", "name_pl", "group", "active", "public", "description_required"]
    list_filter = ["group", "active", "public"]
    search_fields = ["code", "name_cs", "name_pl", "name_en"]
