"""The entry pages' place in the menu (a template context processor) and where sign-in lands."""

from django.shortcuts import redirect

from census.access import scope_of


def entry_navigation(request):
    """Template context: whether the entry pages, and the device sync health page, belong in this person's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_enter_counts": False, "reads_device_syncs": False}
    scope = scope_of(user)
    return {"can_enter_counts": scope.can_write, "reads_device_syncs": scope.reads_device_syncs}


def start(request):
    """Where sign-in lands: the entry pages for staff, the dashboards for everyone else."""
    if request.user.is_authenticated and scope_of(request.user).can_write:
        return redirect("entry:home")
    return redirect("home")
