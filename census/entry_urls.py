"""Pages for statistics staff: sign-in, daily entry, the region grid, imports and exports."""

urlpatterns = []
