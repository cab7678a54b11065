"""The REST API: /api/v1/ and its schema and docs."""

urlpatterns = []
