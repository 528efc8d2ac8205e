"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import NotFound

from .models import Region, Store


def _visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


def search_code_name(queryset, name, value):
    """Part of the code, the English name or the Chinese name."""
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(code__icontains=value) | Q(name__icontains=value) | Q(name_zh__icontains=value)
    )


def _search_filter():
    return django_filters.CharFilter(
        method=search_code_name, label=_("Search"), help_text=_("Part of the code or name.")
    )


class StoreFilterSet(django_filters.FilterSet):
    # Out-of-scope and unknown regions are refused alike: their existence does not leak.
    region = django_filters.ModelChoiceFilter(
        queryset=_visible_regions, label=_("Region"), help_text=_("Region id.")
    )
    status = django_filters.ChoiceFilter(choices=Store.Status.choices, label=_("Status"))
    search = _search_filter()

    class Meta:
        model = Store
        fields = ["region", "status", "search"]


class RegionFilterSet(django_filters.FilterSet):
    search = _search_filter()

    class Meta:
        model = Region
        fields = ["search"]


class ScopedFilterBackend(DjangoFilterBackend):
    """The API's filter backend: a filter naming an object you may not see answers 404.

    ``?region=<id>`` for a region outside your scope, or one that does not exist, is
    refused alike with a 404 (like the region's own URL), so its existence does not leak.
    A malformed value (``?region=abc``) or a bad choice (``?status=sleeping``) stays a 400.
    The pages show the FilterSet's message instead.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            missing = _unknown_objects(filterset)
            if missing and len(missing) == len(filterset.errors):
                model = filterset.form.fields[missing[0]].queryset.model
                raise NotFound(_("No such %(object)s.") % {"object": model._meta.verbose_name})
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


def _unknown_objects(filterset) -> list[str]:
    """Fields whose only error is a well-formed primary key that is not a visible choice."""
    names = []
    for name, errors in filterset.form.errors.as_data().items():
        field = filterset.form.fields.get(name)
        if not isinstance(field, forms.ModelChoiceField) or isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            continue
        if [error.code for error in errors] != ["invalid_choice"]:
            continue
        try:
            field.queryset.model._meta.pk.to_python(filterset.form.data.get(name))
        except (DjangoValidationError, TypeError, ValueError):
            continue
        names.append(name)
    return names
