import threading

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, permissions, serializers

from stores.access import ids_of, user_role, visible_region_ids, visible_store_ids


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    store_ids = serializers.ListField(child=serializers.IntegerField())
    region_ids = serializers.ListField(child=serializers.IntegerField())


class MeView(generics.GenericAPIView):
    """Who you are and what you may see."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        from rest_framework.response import Response

        user = request.user
        data = {
            "username": user.get_username(),
            "role": user_role(user),
            "language": user.language,
            "store_ids": ids_of(visible_store_ids(user)),
            "region_ids": ids_of(visible_region_ids(user)),
        }
        return Response(MeSerializer(data).data)


_schema_lock = threading.Lock()


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, generated one request at a time.

    Schema generation sets the view, path and method on each view class's shared
    ``schema`` inspector, so two generations at once in a threaded server (runserver,
    the test live server, gthread workers) corrupt each other and answer 500.
    """

    def _get_schema_response(self, request):
        with _schema_lock:
            return super()._get_schema_response(request)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI under the Content-Security-Policy: drf-spectacular's split view loads the
    set-up script from this same URL (``?script``) instead of writing it inline, and our
    template (``api/swagger_ui.html``) moves the page's inline style to a static file."""

    template_name = "api/swagger_ui.html"
