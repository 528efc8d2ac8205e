from django.http import HttpResponse
from django.urls import path

app_name = "staff"


def _todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("my-shifts/", _todo, name="my_shifts"),
    path("swaps/", _todo, name="swap_list"),
    path("training/assignments/", _todo, name="assignment_list"),
]
