"""/api/v1/exports/: start an export job (always on a worker) and read its status."""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from stores.access import ScopedAPIMixin

from .. import selectors, services
from ..datasets import ExportError
from ..models import ExportJob
from ..monthly import XLSX_TYPE
from ..views import export_job_file_response
from . import serializers as s


class ExportJobViewSet(
    ScopedAPIMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your export jobs (nobody else's). POST starts one: the same datasets and filters
    as the pages' export links; GET shows its progress and, once done, ``download_url``."""

    queryset = ExportJob.objects.all()
    serializer_class = s.ExportJobSerializer
    selector = staticmethod(selectors.export_job_list)
    filter_backends = []
    parser_classes = [JSONParser]

    def get_serializer_class(self):
        if self.action == "create":
            return s.ExportJobCreateSerializer
        return s.ExportJobSerializer

    @extend_schema(request=s.ExportJobCreateSerializer, responses={201: s.ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        incoming = s.ExportJobCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        params = dict(data["params"])
        period_keys = {"period", "start", "end", "month"}
        if data["dataset"] == "kpi_table" and not period_keys & set(params):
            # As /api/v1/kpis/rollups/: no period, the last 30 closed days (the page's form
            # asks for one; an API client that names none gets the API's default).
            params["period"] = "30d"
        try:
            with transaction.atomic():
                job = services.export_job_create(
                    user=request.user,
                    dataset=data["dataset"],
                    fmt=data["format"],
                    params=params,
                )
        except ExportError as error:
            raise ValidationError({"params": error.messages}) from None
        job.refresh_from_db()
        body = s.ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return export_job_file_response(self.get_object())
