"""The yes/no filters every list shares (``StrictBooleanFilter``)."""

import django_filters
import pytest
from django.utils import translation

from opsdesk.platform.filters import StrictBooleanFilter
from stores.models import Store


class _StoreFilterSet(django_filters.FilterSet):
    open_only = StrictBooleanFilter(method="filter_open", label="Open")

    class Meta:
        model = Store
        fields = []

    def filter_open(self, queryset, name, value):
        return queryset.filter(status=Store.Status.OPEN) if value else queryset


def _options(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("<", 1)[0] for part in html.split("<option")[1:]]


def test_the_empty_choice_reads_any_not_unknown_and_keeps_nothing_selected():
    html = str(_StoreFilterSet({}).form["open_only"])
    assert _options(html) == ["Any", "Yes", "No"]
    assert '<option value="" selected>' in html
    assert 'value="unknown"' not in html
    with translation.override("zh-hans"):
        assert _options(str(_StoreFilterSet({}).form["open_only"]))[0] == "不限"


def test_a_chosen_value_stays_selected():
    html = str(_StoreFilterSet({"open_only": "true"}).form["open_only"])
    assert '<option value="true" selected>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "unknown"])
def test_any_filters_nothing_and_an_old_unknown_link_still_works(value):
    filterset = _StoreFilterSet({"open_only": value}, queryset=Store.objects.all())
    assert filterset.is_valid()
    assert filterset.form.cleaned_data["open_only"] is None


def test_anything_else_is_refused():
    filterset = _StoreFilterSet({"open_only": "maybe"}, queryset=Store.objects.none())
    assert not filterset.is_valid()
    assert filterset.errors["open_only"] == ["Enter true or false."]
