from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsdesk.platform.api.schema import NO_NUL_PATTERN

from ..datasets import REGISTRY
from ..exports import FORMATS
from ..models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text=_("The file (to its owner only) once the job is done; null before.")
    )
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "dataset",
            "format",
            "params",
            "status",
            "rows_done",
            "rows_total",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE or not job.file:
            return None
        url = reverse("reports-api:export-download", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


_SCALAR = [
    {"type": "string", "pattern": NO_NUL_PATTERN},
    {"type": "number"},
    {"type": "boolean"},
]


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "anyOf": [*_SCALAR, {"type": "array", "items": {"anyOf": _SCALAR}}]
        },
    }
)
class FilterParamsField(serializers.DictField):
    """A list's filters: each a text, number or yes/no, or a list of them."""


class ExportJobCreateSerializer(serializers.Serializer):
    dataset = serializers.ChoiceField(choices=sorted(REGISTRY))
    format = serializers.ChoiceField(choices=list(FORMATS))
    params = FilterParamsField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=_('The list\'s filters, as on its page: {"store": "3", "status": ["open"]}.'),
    )

    def validate_params(self, value):
        # A name with a NUL names no filter (unknown filters are ignored, as on the pages),
        # and PostgreSQL's jsonb could not store it: left out.
        value = {key: item for key, item in value.items() if "\x00" not in key}
        for key, item in value.items():
            values = item if isinstance(item, list) else [item]
            if any(
                v is None or isinstance(v, dict | list) or (isinstance(v, str) and "\x00" in v)
                for v in values
            ):
                raise serializers.ValidationError(
                    _("%(key)s: a filter is a value or a list of values.") % {"key": key}
                )
        return value
