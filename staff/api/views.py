"""Staff API: thin viewsets over the selectors (reads) and services (writes).

Bodies are JSON. The serializers check the input (400); a store, person, shift or course
named that does not exist or is out of scope is a 404; the wrong role is a 403 before any
lookup (``action_roles``), and so is someone else's swap or training; what the services
still refuse is a 409 (``conflict_actions``), publishing with its ``violations``.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from opsdesk.platform.api.exceptions import as_conflict
from opsdesk.platform.roles import ALL_ROLES
from stores.access import ScopedAPIMixin
from stores.models import Store

from .. import selectors, services
from ..filters import (
    CourseFilterSet,
    EmployeeFilterSet,
    ScheduleFilterSet,
    ShiftFilterSet,
    SwapRequestFilterSet,
    TrainingAssignmentFilterSet,
)
from ..models import Course, Employee, Schedule, Shift, SwapRequest, TrainingAssignment
from ..rules import (
    COURSE_EDITORS,
    PEOPLE_EDITORS,
    SCHEDULE_READERS,
    SCHEDULERS,
    SWAP_APPROVERS,
    TRAINING_RECORDERS,
)
from . import serializers as s

REFUSED = OpenApiResponse(s.RefusedSerializer, description="Refused: the messages say why.")


class Refused(APIException):
    """409 with the violations of a refused publish, change or swap approval."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, error: services.PublishRefused):
        super().__init__()
        self.detail = {
            "non_field_errors": list(error.messages),
            "violations": [v.as_dict() for v in error.violations],
        }


@contextmanager
def refusals():
    """A service's refusal is a 409: with the violations when rules refused it."""
    try:
        yield
    except services.PublishRefused as refused:
        raise Refused(refused) from None
    except DjangoValidationError as exc:
        raise as_conflict(exc) from None


class _Base(ScopedAPIMixin, viewsets.GenericViewSet):
    """Reads for ``default_roles``; writes name their roles in ``action_roles`` (403
    before any lookup); ``conflict_actions`` can answer 409."""

    action_roles: dict = {}
    default_roles = ALL_ROLES
    parser_classes = [JSONParser]
    conflict_actions: frozenset = frozenset()

    @property
    def allowed_roles(self):
        return self.action_roles.get(getattr(self, "action", None), self.default_roles)


def _visible(queryset, pk):
    return get_object_or_404(queryset, pk=pk)


class EmployeeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """The people of the stores in scope (store managers, regional ops, head office)."""

    queryset = Employee.objects.all()
    serializer_class = s.EmployeeSerializer
    filterset_class = EmployeeFilterSet
    ordering_fields = ["name", "active_from"]
    selector = staticmethod(selectors.employee_list)
    default_roles = SCHEDULE_READERS
    action_roles = {"create": PEOPLE_EDITORS}
    conflict_actions = frozenset(["create"])

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("availability")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.EmployeeDetailSerializer
        return s.EmployeeSerializer

    @extend_schema(request=s.EmployeeCreateSerializer, responses={201: s.EmployeeSerializer})
    def create(self, request):
        body = s.EmployeeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        store = _visible(Store.objects.visible_to(request.user), data.pop("home_store"))
        with refusals():
            employee = services.employee_create(user=request.user, home_store=store, **data)
        employee = selectors.employee_list(user=request.user).get(pk=employee.pk)
        return Response(s.EmployeeSerializer(employee).data, status=status.HTTP_201_CREATED)


class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Shifts in scope (store staff: the published ones, without costs). Schedulers add,
    change and delete them; on a published week a change that breaks a rule is a 409 with
    its violations."""

    queryset = Shift.objects.all()
    serializer_class = s.ShiftSerializer
    filterset_class = ShiftFilterSet
    ordering_fields = ["business_date", "start_at"]
    selector = staticmethod(selectors.shift_list)
    action_roles = {
        "create": SCHEDULERS,
        "partial_update": SCHEDULERS,
        "destroy": SCHEDULERS,
    }
    conflict_actions = frozenset(action_roles)

    def _out(self, request, shift, code=status.HTTP_200_OK):
        shift = selectors.shift_get(user=request.user, pk=shift.pk)
        return Response(s.ShiftSerializer(shift, context={"request": request}).data, status=code)

    @extend_schema(request=s.ShiftWriteSerializer, responses={201: s.ShiftSerializer, 409: REFUSED})
    def create(self, request):
        body = s.ShiftWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        store = _visible(Store.objects.visible_to(request.user), data.pop("store"))
        data["employee"] = _visible(Employee.objects.visible_to(request.user), data["employee"])
        data["starts"], data["ends"] = _clock(data["starts"]), _clock(data["ends"])
        with refusals():
            shift = services.shift_create(user=request.user, store=store, **data)
        return self._out(request, shift, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ShiftUpdateSerializer, responses={200: s.ShiftSerializer, 409: REFUSED}
    )
    def partial_update(self, request, pk=None):
        shift = self.get_object()
        body = s.ShiftUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "employee" in data:
            data["employee"] = _visible(Employee.objects.visible_to(request.user), data["employee"])
        for field in ("starts", "ends"):
            if field in data:
                data[field] = _clock(data[field])
        with refusals():
            shift = services.shift_update(user=request.user, shift=shift, **data)
        return self._out(request, shift)

    @extend_schema(responses={204: None, 409: REFUSED})
    def destroy(self, request, pk=None):
        shift = self.get_object()
        with refusals():
            services.shift_delete(user=request.user, shift=shift)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request}


def _clock(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


class ScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Week schedules in scope. POST opens a store's week (a draft; the existing one when
    it exists); ``check`` lists the violations; ``publish`` publishes a draft (409 with
    the violations when a rule is broken); ``copy-previous`` fills an empty draft from the
    week before."""

    queryset = Schedule.objects.all()
    serializer_class = s.ScheduleSerializer
    filterset_class = ScheduleFilterSet
    ordering_fields = ["week_start"]
    selector = staticmethod(selectors.schedule_list)
    default_roles = SCHEDULE_READERS
    action_roles = {
        "create": SCHEDULERS,
        "publish": SCHEDULERS,
        "copy_previous": SCHEDULERS,
    }
    conflict_actions = frozenset(action_roles)

    def _out(self, request, schedule, code=status.HTTP_200_OK):
        schedule = selectors.schedule_get(user=request.user, pk=schedule.pk)
        return Response(s.ScheduleSerializer(schedule).data, status=code)

    @extend_schema(
        request=s.ScheduleCreateSerializer,
        responses={200: s.ScheduleSerializer, 201: s.ScheduleSerializer},
    )
    def create(self, request):
        body = s.ScheduleCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        store = _visible(Store.objects.visible_to(request.user), body.validated_data["store"])
        week = body.validated_data["week_start"]
        existed = Schedule.objects.filter(store=store, week_start=week).exists()
        with refusals():  # not a Monday
            schedule = services.schedule_get_or_create(
                user=request.user, store=store, week_start=week
            )
        return self._out(request, schedule, status.HTTP_200_OK if existed else 201)

    @extend_schema(responses=s.ChecksSerializer)
    @action(detail=True, methods=["get"])
    def check(self, request, pk=None):
        schedule = self.get_object()
        violations = services.schedule_check(schedule=schedule)
        return Response({"violations": [v.as_dict() for v in violations]})

    @extend_schema(request=None, responses={200: s.ScheduleSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        schedule = self.get_object()
        with refusals():  # published already, no shifts
            schedule = services.schedule_publish(user=request.user, schedule=schedule)
        return self._out(request, schedule)

    @extend_schema(request=None, responses={200: s.CopyResultSerializer})
    @action(detail=True, methods=["post"], url_path="copy-previous")
    def copy_previous(self, request, pk=None):
        schedule = self.get_object()
        with refusals():  # published, has shifts, nothing to copy
            schedule, copied = services.schedule_copy_previous(
                user=request.user, store=schedule.store, week_start=schedule.week_start
            )
        schedule = selectors.schedule_get(user=request.user, pk=schedule.pk)
        return Response({"schedule": s.ScheduleSerializer(schedule).data, "copied": copied})


class SwapRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Swap requests in scope (store staff: theirs, those asked of them, the open ones of
    their store). POST asks (the shift's own person only, else 403); ``accept``,
    ``decline``, ``cancel`` by the people concerned; ``approve`` (409 with the violations
    when the swap would break a rule) and ``refuse`` by managers."""

    queryset = SwapRequest.objects.all()
    serializer_class = s.SwapRequestSerializer
    filterset_class = SwapRequestFilterSet
    ordering_fields = ["created_at"]
    selector = staticmethod(selectors.swap_list)
    action_roles = {"approve": SWAP_APPROVERS, "refuse": SWAP_APPROVERS}
    conflict_actions = frozenset(["create", "accept", "decline", "cancel", "approve", "refuse"])

    def _out(self, request, swap, code=status.HTTP_200_OK):
        swap = selectors.swap_get(user=request.user, pk=swap.pk)
        return Response(s.SwapRequestSerializer(swap).data, status=code)

    @extend_schema(request=s.SwapCreateSerializer, responses={201: s.SwapRequestSerializer})
    def create(self, request):
        body = s.SwapCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shift = _visible(selectors.shift_list(user=request.user), body.validated_data["shift"])
        to = body.validated_data.get("to_employee")
        if to is not None:
            to = _visible(Employee.objects.visible_to(request.user), to)
        with refusals():
            swap = services.swap_request_create(
                user=request.user,
                shift=shift,
                to_employee=to,
                note=body.validated_data.get("note", ""),
            )
        return self._out(request, swap, status.HTTP_201_CREATED)

    def _act(self, request, call):
        swap = self.get_object()
        with refusals():
            swap = call(user=request.user, swap=swap)
        return self._out(request, swap)

    @extend_schema(request=None, responses=s.SwapRequestSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, services.swap_accept)

    @extend_schema(request=None, responses=s.SwapRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, services.swap_decline)

    @extend_schema(request=None, responses=s.SwapRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, services.swap_cancel)

    @extend_schema(request=None, responses={200: s.SwapRequestSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, services.swap_approve)

    @extend_schema(request=s.SwapRefuseSerializer, responses=s.SwapRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        body = s.SwapRefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("reason", "")
        return self._act(
            request,
            lambda user, swap: services.swap_refuse(user=user, swap=swap, reason=reason),
        )


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Training courses (chain-wide: every role reads them; head office writes them)."""

    queryset = Course.objects.all()
    serializer_class = s.CourseSerializer
    filterset_class = CourseFilterSet
    ordering_fields = ["code", "name"]
    selector = staticmethod(selectors.course_list)
    action_roles = {"create": COURSE_EDITORS, "partial_update": COURSE_EDITORS}
    conflict_actions = frozenset(action_roles)

    @extend_schema(request=s.CourseWriteSerializer, responses={201: s.CourseSerializer})
    def create(self, request):
        body = s.CourseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with refusals():  # the code is taken
            course = services.course_create(user=request.user, **body.validated_data)
        return Response(s.CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CourseUpdateSerializer, responses=s.CourseSerializer)
    def partial_update(self, request, pk=None):
        course = self.get_object()
        body = s.CourseUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with refusals():
            course = services.course_update(user=request.user, course=course, **body.validated_data)
        return Response(s.CourseSerializer(course).data)


class TrainingAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Training assignments of the people in scope (store staff: their own), with
    ``overdue``. Managers and head office assign; ``complete`` by the person or them."""

    queryset = TrainingAssignment.objects.all()
    serializer_class = s.TrainingAssignmentSerializer
    filterset_class = TrainingAssignmentFilterSet
    ordering_fields = ["due_date", "assigned_at"]
    selector = staticmethod(selectors.assignment_list)
    action_roles = {"create": TRAINING_RECORDERS}
    conflict_actions = frozenset(["create", "complete"])

    def _out(self, request, assignment, code=status.HTTP_200_OK):
        assignment = selectors.assignment_get(user=request.user, pk=assignment.pk)
        return Response(s.TrainingAssignmentSerializer(assignment).data, status=code)

    @extend_schema(
        request=s.AssignmentCreateSerializer, responses={201: s.TrainingAssignmentSerializer}
    )
    def create(self, request):
        body = s.AssignmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        employee = _visible(
            Employee.objects.visible_to(request.user).select_related("home_store"),
            body.validated_data["employee"],
        )
        course = _visible(Course.objects.visible_to(request.user), body.validated_data["course"])
        with refusals():
            assignment = services.assignment_create(
                user=request.user,
                employee=employee,
                course=course,
                due_date=body.validated_data["due_date"],
            )
        return self._out(request, assignment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TrainingAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assignment = self.get_object()
        with refusals():
            assignment = services.assignment_complete(user=request.user, assignment=assignment)
        return self._out(request, assignment)
