from django.views.generic import DetailView, ListView

from .access import ScopedPageMixin
from .filters import StoreFilterSet
from .selectors import store_clock, store_list


class StoreListView(ScopedPageMixin, ListView):
    template_name = "stores/store_list.html"
    selector = staticmethod(store_list)
    paginate_by = 50

    def get_queryset(self):
        self.filterset = StoreFilterSet(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        # htmx filtering swaps only the results, the form keeps focus and input.
        if self.request.htmx and not self.request.htmx.boosted:
            return ["stores/_store_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["rows"] = [(store, store_clock(store)) for store in context["object_list"]]
        return context


class StoreDetailView(ScopedPageMixin, DetailView):
    template_name = "stores/store_detail.html"
    selector = staticmethod(store_list)
    context_object_name = "store"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clock"] = store_clock(self.object)
        return context
