"""Thin viewsets: scoped reads through the selectors, writes through the services.

Bodies are JSON (photos: multipart). A record named in a body that does not exist or is
out of scope is a 404, as in a URL; a refusal due to a record's state is a 409.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from opsdesk.platform.api.exceptions import as_conflict, validate_or_404
from opsdesk.platform.api.schema import CONFLICT_RESPONSE
from stores.access import ScopedAPIMixin, ensure_role
from stores.models import Store

from .. import selectors, services
from ..filters import (
    ChecklistRunFilterSet,
    ChecklistScheduleFilterSet,
    ChecklistTemplateFilterSet,
    CorrectiveActionFilterSet,
)
from ..models import (
    ChecklistPhoto,
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    CorrectiveAction,
    TemplateItem,
    TemplateVersion,
)
from . import serializers as s


class ChecklistTemplateViewSet(
    ScopedAPIMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Templates (chain-wide): everyone reads; head office creates and edits."""

    queryset = ChecklistTemplate.objects.all()
    serializer_class = s.ChecklistTemplateSerializer
    filterset_class = ChecklistTemplateFilterSet
    ordering_fields = ["code", "name"]
    selector = staticmethod(selectors.template_list)
    parser_classes = [JSONParser]

    @extend_schema(responses={201: s.ChecklistTemplateSerializer, 409: CONFLICT_RESPONSE})
    def create(self, request, *args, **kwargs):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.template_create(user=request.user, **serializer.validated_data)
        template = selectors.template_get(user=request.user, pk=template.pk)
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.TemplateVersionSerializer})
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        """The template's draft version (a copy of the newest version when there is none)."""
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        draft = services.template_draft_get_or_create(user=request.user, template=self.get_object())
        draft = selectors.version_get(user=request.user, pk=draft.pk)
        return Response(s.TemplateVersionSerializer(draft).data, status=status.HTTP_201_CREATED)


class TemplateVersionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Versions with their sections and items; head office edits drafts and publishes."""

    queryset = TemplateVersion.objects.all()
    serializer_class = s.TemplateVersionSerializer
    selector = staticmethod(selectors.version_list)
    parser_classes = [JSONParser]

    def _reply(self, request, version, code=status.HTTP_200_OK):
        version = selectors.version_get(user=request.user, pk=version.pk)
        return Response(s.TemplateVersionSerializer(version).data, status=code)

    @extend_schema(
        request=s.SectionCreateSerializer,
        responses={201: s.TemplateVersionSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def sections(self, request, pk=None):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        version = self.get_object()
        body = s.SectionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.template_section_add(user=request.user, version=version, **body.validated_data)
        return self._reply(request, version, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ItemCreateSerializer,
        responses={201: s.TemplateVersionSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        version = self.get_object()
        body = s.ItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        section = get_object_or_404(version.sections.all(), pk=data.pop("section"))
        services.template_item_add(user=request.user, section=section, **data)
        return self._reply(request, version, status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={200: s.TemplateVersionSerializer, 409: CONFLICT_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        version = services.template_version_publish(user=request.user, version=self.get_object())
        return self._reply(request, version)


class ChecklistScheduleViewSet(
    ScopedAPIMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Schedules reaching your stores; head office creates and changes them."""

    queryset = ChecklistSchedule.objects.all()
    serializer_class = s.ChecklistScheduleSerializer
    filterset_class = ChecklistScheduleFilterSet
    selector = staticmethod(selectors.schedule_list)
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]

    def create(self, request, *args, **kwargs):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        serializer = self.get_serializer(data=request.data)
        data = validate_or_404(serializer)
        schedule = services.schedule_create(user=request.user, **data)
        schedule = self.get_queryset().get(pk=schedule.pk)
        return Response(self.get_serializer(schedule).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.ChecklistScheduleSerializer, 409: CONFLICT_RESPONSE})
    def partial_update(self, request, *args, **kwargs):
        ensure_role(request.user, services.TEMPLATE_EDITORS)
        schedule = self.get_object()
        serializer = self.get_serializer(schedule, data=request.data, partial=True)
        changes = dict(validate_or_404(serializer))
        changes.pop("template", None)
        try:
            services.schedule_update(user=request.user, schedule=schedule, **changes)
        except DjangoValidationError as exc:  # the body is valid: it clashes with the rest
            raise as_conflict(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=schedule.pk)).data)


class ChecklistRunViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Runs in your stores. POST starts a visit audit; actions answer, submit, reopen,
    acknowledge."""

    queryset = ChecklistRun.objects.all()
    serializer_class = s.ChecklistRunSerializer
    filterset_class = ChecklistRunFilterSet
    ordering_fields = ["business_date", "due_at", "score"]
    selector = staticmethod(selectors.run_list)
    parser_classes = [JSONParser]

    def get_serializer_class(self):
        return (
            s.ChecklistRunDetailSerializer
            if self.action == "retrieve"
            else super().get_serializer_class()
        )

    def retrieve(self, request, *args, **kwargs):
        run = selectors.run_get(user=request.user, pk=_pk(kwargs["pk"]))
        return Response(s.ChecklistRunDetailSerializer(run).data)

    def _detail(self, request, run, code=status.HTTP_200_OK):
        run = selectors.run_get(user=request.user, pk=run.pk)
        return Response(s.ChecklistRunDetailSerializer(run).data, status=code)

    @extend_schema(
        request=s.AuditStartSerializer,
        responses={201: s.ChecklistRunDetailSerializer, 409: CONFLICT_RESPONSE},
    )
    def create(self, request, *args, **kwargs):
        ensure_role(request.user, services.AUDIT_ROLES)
        body = s.AuditStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        store = get_object_or_404(
            Store.objects.visible_to(request.user), pk=body.validated_data["store"]
        )
        template = get_object_or_404(
            ChecklistTemplate.objects.visible_to(request.user).filter(
                kind=ChecklistTemplate.Kind.AUDIT
            ),
            pk=body.validated_data["template"],
        )
        run = services.audit_start(user=request.user, store=store, template=template)
        return self._detail(request, run, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AnswerInputSerializer, responses={200: s.AnswerSerializer, 409: CONFLICT_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Save one item's answer (its own row: concurrent answers to other items stay)."""
        run = self.get_object()
        body = s.AnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = get_object_or_404(
            TemplateItem.objects.filter(version_id=run.version_id), pk=data["item"]
        )
        photo = None
        if data.get("photo") is not None:
            photo = get_object_or_404(
                ChecklistPhoto.objects.visible_to(request.user).filter(store_id=run.store_id),
                pk=data["photo"],
            )
        answer = services.answer_save(
            user=request.user,
            run=run,
            item=item,
            value=data.get("value"),
            not_applicable=data["not_applicable"],
            note=data.get("note", ""),
            photo=photo,
        )
        return Response(s.AnswerSerializer(answer).data)

    @extend_schema(
        request=None, responses={200: s.ChecklistRunDetailSerializer, 409: CONFLICT_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Refused (409, ``missing_items``) while required items have no answer."""
        run = services.run_submit(user=request.user, run=self.get_object())
        return self._detail(request, run)

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.ChecklistRunDetailSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        ensure_role(request.user, services.runs.REOPEN_ROLES)
        run = self.get_object()
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.run_reopen(user=request.user, run=run, reason=body.validated_data["reason"])
        return self._detail(request, run)

    @extend_schema(
        request=s.NoteSerializer,
        responses={200: s.ChecklistRunDetailSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        ensure_role(request.user, services.runs.ACKNOWLEDGE_ROLES)
        body = s.NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.run_acknowledge(
            user=request.user, run=self.get_object(), note=body.validated_data.get("note", "")
        )
        return self._detail(request, run)


def _pk(raw):
    from django.http import Http404

    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404 from None


class CorrectiveActionViewSet(
    ScopedAPIMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Corrective actions in your stores; filter by store, status, overdue, assignee."""

    queryset = CorrectiveAction.objects.all()
    serializer_class = s.CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilterSet
    ordering_fields = ["due_date", "created_at"]
    selector = staticmethod(selectors.action_list)
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]

    @extend_schema(
        request=s.CorrectiveActionUpdateSerializer,
        responses={200: s.CorrectiveActionSerializer, 409: CONFLICT_RESPONSE},
    )
    def partial_update(self, request, *args, **kwargs):
        action_obj = self.get_object()
        body = s.CorrectiveActionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        evidence = data.pop("evidence", None)
        if evidence is not None:  # any id, 0 too, names a photo: of the action's store
            evidence = get_object_or_404(
                ChecklistPhoto.objects.visible_to(request.user).filter(
                    store_id=action_obj.store_id
                ),
                pk=evidence,
            )
        services.corrective_action_update(
            user=request.user, action=action_obj, evidence=evidence, **data
        )
        return Response(
            s.CorrectiveActionSerializer(
                selectors.action_get(user=request.user, pk=action_obj.pk)
            ).data
        )


class ChecklistPhotoViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Upload a photo (multipart ``photo``, ``store``, optional ``run``); it is checked,
    cleaned of EXIF/GPS and served only through the scoped URLs it returns."""

    queryset = ChecklistPhoto.objects.all()
    serializer_class = s.ChecklistPhotoSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.PhotoUploadSerializer, responses={201: s.ChecklistPhotoSerializer})
    def create(self, request, *args, **kwargs):
        body = s.PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        store = get_object_or_404(Store.objects.visible_to(request.user), pk=data["store"])
        run = None
        if data.get("run") is not None:
            run = get_object_or_404(
                ChecklistRun.objects.visible_to(request.user).filter(store=store), pk=data["run"]
            )
        photo = services.photo_create(user=request.user, store=store, run=run, upload=data["photo"])
        return Response(s.ChecklistPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)
