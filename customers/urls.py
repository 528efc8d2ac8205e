from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint_list"),
    path("new/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("<int:pk>/respond/", views.ComplaintRespondView.as_view(), name="complaint_respond"),
    path("<int:pk>/assign/", views.ComplaintAssignView.as_view(), name="complaint_assign"),
    path("<int:pk>/resolve/", views.ComplaintResolveView.as_view(), name="complaint_resolve"),
    path("<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint_close"),
    path("<int:pk>/reopen/", views.ComplaintReopenView.as_view(), name="complaint_reopen"),
    path("members/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("members/lookup/", views.CustomerLookupView.as_view(), name="customer_lookup"),
    path("sla/", views.SlaPolicyView.as_view(), name="sla_policy"),
    path("sla/<int:pk>/delete/", views.SlaTargetDeleteView.as_view(), name="sla_target_delete"),
]
