"""What the whole portal shares: categories, life events, search synonyms and governorates. Operators
only: one department's editor must not rename another's category. Who edits which department is a
staff role (content editor), managed with the other roles in the accounts admin.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bawaba.catalog.admin.base import OperatorOnlyAdmin, language_fieldsets
from bawaba.catalog.models import Category, Governorate, LifeEvent, SearchSynonym
from bawaba.catalog.search import search_index_update


@admin.register(Category)
class CategoryAdmin(OperatorOnlyAdmin):
    list_display = ("__str__", "slug", "ordering")
    list_editable = ("ordering",)
    search_fields = ("slug", "name_ar", "name_ckb", "name_en")
    fieldsets = [(None, {"fields": ["slug", "ordering"]}), *language_fieldsets("name")]


@admin.register(LifeEvent)
class LifeEventAdmin(OperatorOnlyAdmin):
    list_display = ("__str__", "slug", "ordering")
    list_editable = ("ordering",)
    search_fields = ("slug", "name_ar", "name_ckb", "name_en")
    fieldsets = [(None, {"fields": ["slug", "ordering"]}), *language_fieldsets("name", "description")]


@admin.register(Governorate)
class GovernorateAdmin(OperatorOnlyAdmin):
    list_display = ("__str__", "iso_code", "is_kurdistan_region")
    list_filter = ("is_kurdistan_region",)
    search_fields = ("iso_code", "name_ar", "name_ckb", "name_en")
    fieldsets = [(None, {"fields": ["iso_code", "is_kurdistan_region"]}), *language_fieldsets("name")]


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ("term", "expansion", "note")

    def clean_term(self) -> str:
        term = " ".join(str(self.cleaned_data["term"]).split())
        # One row per term: the catalogue format matches synonyms by term, and two rows for the
        # same word would leave people wondering which one search uses.
        duplicates = SearchSynonym.objects.filter(term__iexact=term).exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(_("This word already has a synonym; add the new words to it instead."))
        return term


@admin.register(SearchSynonym)
class SearchSynonymAdmin(OperatorOnlyAdmin):
    form = SearchSynonymForm
    list_display = ("term", "expansion", "note", "updated_at")
    search_fields = ("term", "expansion", "note")

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _search_synonyms_changed()

    def delete_model(self, request: HttpRequest, obj: SearchSynonym) -> None:
        super().delete_model(request, obj)
        _search_synonyms_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        _search_synonyms_changed()


def _search_synonyms_changed() -> None:
    # Search applies synonyms to the query (bawaba.catalog.search.lexicon) and notices a changed
    # synonym by itself, so no service needs re-indexing; telling the index keeps one entry point
    # should synonyms ever be applied to the documents instead.
    search_index_update(service_ids=[])
