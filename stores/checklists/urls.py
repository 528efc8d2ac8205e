from django.urls import path

from . import views

app_name = "checklists"

urlpatterns = [
    path("", views.TodayView.as_view(), name="today"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/fill/", views.RunFillView.as_view(), name="run_fill"),
    path(
        "runs/<int:pk>/items/<int:item>/answer/",
        views.AnswerSaveView.as_view(),
        name="answer_save",
    ),
    path("runs/<int:pk>/submit/", views.RunSubmitView.as_view(), name="run_submit"),
    path("runs/<int:pk>/reopen/", views.RunReopenView.as_view(), name="run_reopen"),
    path("runs/<int:pk>/acknowledge/", views.RunAcknowledgeView.as_view(), name="run_acknowledge"),
    path("audits/new/", views.AuditStartView.as_view(), name="audit_start"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path(
        "photos/<int:pk>/thumbnail/",
        views.PhotoView.as_view(thumbnail=True),
        name="photo_thumbnail",
    ),
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("comparison/", views.RegionComparisonView.as_view(), name="region_comparison"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/new/", views.TemplateCreateView.as_view(), name="template_create"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template_detail"),
    path("templates/<int:pk>/edit/", views.TemplateEditView.as_view(), name="template_edit"),
    path("versions/<int:pk>/", views.VersionEditView.as_view(), name="version_edit"),
    path("versions/<int:pk>/sections/", views.SectionAddView.as_view(), name="section_add"),
    path("versions/<int:pk>/items/", views.ItemAddView.as_view(), name="item_add"),
    path(
        "versions/<int:pk>/items/<int:item>/delete/",
        views.ItemDeleteView.as_view(),
        name="item_delete",
    ),
    path("versions/<int:pk>/publish/", views.VersionPublishView.as_view(), name="version_publish"),
]
