"""Customers API: thin viewsets over the selectors (reads) and services (writes).

Bodies are JSON. The serializers check the input (400); a store, product or user named
that does not exist or is out of scope is a 404 (an assignee who may not handle the
store's complaints too: the same 404 as an unknown id); what the services still refuse
(the complaint's state, a stale ``version``, a time in the future) is a 409, declared on
the actions in ``conflict_actions``.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from inventory.models import Product
from opsdesk.platform.api.exceptions import conflicts
from opsdesk.platform.roles import ALL_ROLES
from stores.access import ScopedAPIMixin, ensure_role
from stores.models import Store

from .. import selectors, services
from ..filters import ComplaintFilterSet, CustomerFilterSet
from ..models import Complaint, Customer, SlaTarget
from ..rules import HANDLERS, LOGGERS, POLICY_SETTERS
from . import serializers as s


class _Scoped(ScopedAPIMixin):
    """Reads for every role; each write action names its roles in ``action_roles``,
    checked before any lookup (403)."""

    action_roles: dict = {}
    parser_classes = [JSONParser]
    conflict_actions: frozenset = frozenset()

    @property
    def allowed_roles(self):
        return self.action_roles.get(getattr(self, "action", None), ALL_ROLES)


def _assignee(store, pk: int):
    """Somebody who may handle the store's complaints. Any other id, of an account outside
    your scope or of none at all, is the same 404."""
    user = selectors.assignable_user_get(store=store, pk=pk)
    if user is None:
        raise NotFound(_("No such user."))
    return user


ACTIONS = ("respond", "assign", "resolve", "close", "reopen")


class ComplaintViewSet(_Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Complaints and feedback at your stores. POST logs one (every role); ``respond``,
    ``assign``, ``resolve``, ``close`` and ``reopen`` handle it (store managers, regional
    ops, head office). Each action takes the ``version`` you read, optionally: 409 when
    somebody changed the complaint since."""

    queryset = Complaint.objects.all()
    serializer_class = s.ComplaintSerializer
    filterset_class = ComplaintFilterSet
    ordering_fields = ["received_at", "resolution_due_at", "first_response_due_at"]
    selector = staticmethod(selectors.complaint_list)
    action_roles = {"create": LOGGERS, **dict.fromkeys(ACTIONS, HANDLERS)}
    conflict_actions = frozenset(["create", *ACTIONS])

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ComplaintDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        complaint = self.get_object()
        return self._detail(request, complaint)

    def _detail(self, request, complaint, code=status.HTTP_200_OK):
        complaint = selectors.complaint_get(user=request.user, pk=complaint.pk)
        return Response(s.ComplaintDetailSerializer(complaint).data, status=code)

    @extend_schema(
        request=s.ComplaintCreateSerializer, responses={201: s.ComplaintDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = s.ComplaintCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        store = get_object_or_404(Store.objects.visible_to(request.user), pk=data.pop("store"))
        product = data.pop("product", None)
        if product is not None:
            product = get_object_or_404(Product.objects.all(), pk=product)
        assignee = data.pop("assignee", None)
        if assignee is not None:
            assignee = _assignee(store, assignee)
        customer = data.pop("customer", None) or {}
        with conflicts():
            complaint = services.complaint_log(
                user=request.user,
                store=store,
                product=product,
                assignee=assignee,
                customer_name=customer.get("name", ""),
                customer_phone=customer.get("phone", ""),
                customer_email=customer.get("email", ""),
                member_number=customer.get("member_number", ""),
                **data,
            )
        return self._detail(request, complaint, status.HTTP_201_CREATED)

    def _act(self, request, serializer_class, service, **extra):
        complaint = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["expected_version"] = data.pop("version", None)
        with conflicts():
            complaint = service(user=request.user, complaint=complaint, **data, **extra)
        return self._detail(request, complaint)

    @extend_schema(request=s.RespondSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """A response to the customer (the first stops the first-response clock) or, with
        ``internal``, a note for colleagues."""
        return self._act(request, s.RespondSerializer, services.complaint_respond)

    @extend_schema(request=s.AssignSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        complaint = self.get_object()
        body = s.AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignee = _assignee(complaint.store, body.validated_data["assignee"])
        with conflicts():
            complaint = services.complaint_assign(
                user=request.user,
                complaint=complaint,
                assignee=assignee,
                expected_version=body.validated_data.get("version"),
            )
        return self._detail(request, complaint)

    @extend_schema(request=s.ResolveSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, s.ResolveSerializer, services.complaint_resolve)

    @extend_schema(request=s.CloseSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """A resolved complaint (feedback: any open one) is closed."""
        return self._act(request, s.CloseSerializer, services.complaint_close)

    @extend_schema(request=s.ReopenSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(request, s.ReopenSerializer, services.complaint_reopen)


class CustomerViewSet(_Scoped, viewsets.ReadOnlyModelViewSet):
    """Customers who complained (or gave feedback) at a store in your scope: nobody else."""

    queryset = Customer.objects.all()
    serializer_class = s.CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["name", "created_at"]
    selector = staticmethod(selectors.customer_list)


class SlaTargetViewSet(
    _Scoped,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The SLA policy's targets (every role reads them; head office sets them). A severity
    without a target of its own uses the built-in default (docs/customers.md). A change
    applies to complaints logged from then on."""

    queryset = SlaTarget.objects.all()
    serializer_class = s.SlaTargetSerializer
    selector = staticmethod(selectors.sla_target_list)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_roles = {
        "create": POLICY_SETTERS,
        "partial_update": POLICY_SETTERS,
        "destroy": POLICY_SETTERS,
    }
    conflict_actions = frozenset(["create", "partial_update"])

    @extend_schema(
        request=s.SlaTargetInSerializer,
        responses={200: s.SlaTargetSerializer, 201: s.SlaTargetSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Set the target of a severity (or of a severity in a category): 201 when new,
        200 when it replaced one."""
        ensure_role(request.user, POLICY_SETTERS)
        body = s.SlaTargetInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existed = SlaTarget.objects.filter(
            severity=data["severity"], category=data.get("category", "")
        ).exists()
        with conflicts():
            target = services.sla_target_set(user=request.user, **data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(s.SlaTargetSerializer(target).data, status=code)

    @extend_schema(request=s.SlaTargetUpdateSerializer, responses=s.SlaTargetSerializer)
    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        body = s.SlaTargetUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = {
            "first_response_minutes": target.first_response_minutes,
            "resolution_minutes": target.resolution_minutes,
            **body.validated_data,
        }
        with conflicts():
            target = services.sla_target_set(
                user=request.user, severity=target.severity, category=target.category, **values
            )
        return Response(s.SlaTargetSerializer(target).data)

    def destroy(self, request, *args, **kwargs):
        services.sla_target_delete(user=request.user, target=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
