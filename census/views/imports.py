"""Spreadsheet import: upload and preview (nothing written), then apply the kept file all or nothing."""

from django.contrib import messages
from django.db import InterfaceError, OperationalError, connection
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from census.access import Scope
from census.errors import WriteContended
from census.forms import ImportForm
from census.importing import FileRejected, Limits, check_size, outcome_errors, read_counts, sample_file
from census.models import Campaign, PendingImport
from census.services import import_counts
from census.views.base import focus_first_error, staff_page
from regions.models import District

IMPORT_SESSION_KEY = "census_import"


def _read_upload(raw: bytes, filename: str, scope: Scope):
    return read_counts(
        raw,
        filename=filename,
        scope_districts=scope.districts(District.objects.all()),
        all_districts=District.objects.all(),
    )


def _run_import(request, *, scope, campaign, raw, filename, mode, reason, dry_run, confirm=False):
    read = _read_upload(raw, filename, scope)
    summary = import_counts(
        campaign=campaign,
        rows=read.rows,
        mode=mode,
        user=request.user,
        reason=reason,
        dry_run=dry_run,
        rejected_elsewhere=bool(read.errors),
        confirm_implausible=confirm,
    )
    return read, summary


def _preview_context(read, summary, **extra) -> dict:
    shown = [o for o in summary.outcomes if o.action in ("created", "changed")]
    return {
        "read": read,
        "summary": summary,
        "errors": outcome_errors(read, summary),
        "shown": shown[:1000],
        "more_shown": max(len(shown) - 1000, 0),
        "needs_confirmation": any(outcome.implausible for outcome in summary.failed),
        **extra,
    }


@staff_page
def import_file(request, *, scope: Scope, campaign: Campaign):
    """Upload a spreadsheet: it is read and checked in full, nothing is written, and the preview says what would happen."""
    limits = Limits.from_settings()
    example = scope.districts().order_by("kato").first()
    # The example's days are ones on which every channel is open, so both of its figures would be accepted.
    every_channel_open = max((phase.starts_on for phase in campaign.phases.all()), default=campaign.starts_on)
    page = {"limits": limits, "campaign": campaign, "sample": example and sample_file(example, every_channel_open)}
    if request.method != "POST":
        return render(request, "census/import.html", {"form": ImportForm(), **page})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        try:
            # Refused on its declared size before a byte of it is read into memory.
            check_size(upload.size, limits)
            raw = upload.read()
            read, summary = _run_import(
                request, scope=scope, campaign=campaign, raw=raw, filename=upload.name,
                mode=data["mode"], reason=data["reason"], dry_run=True, confirm=data["confirm_implausible"],
            )  # fmt: skip
        except FileRejected as exc:
            form.add_error("file", exc.message)
        else:
            token = None
            if not summary.failed and not read.errors and (summary.created or summary.changed):
                # Kept for "Apply" in the database (any web process may get the click, Redis may be down);
                # the token is also in this person's session, so only this browser can apply it.
                token = PendingImport.objects.keep(
                    user=request.user, content=raw, filename=upload.name, mode=data["mode"], reason=data["reason"]
                ).token
                request.session[IMPORT_SESSION_KEY] = token
            return render(
                request,
                "census/import_preview.html",
                _preview_context(
                    read,
                    summary,
                    token=token,
                    filename=upload.name,
                    mode=data["mode"],
                    campaign=campaign,
                    confirm=data["confirm_implausible"],
                ),  # fmt: skip
            )
    focus_first_error(form)
    return render(request, "census/import.html", {"form": form, **page}, status=400)


def _preview_again(request, *, scope, campaign, token, stored, status, confirm):
    """The preview of a kept file, checked afresh, for an apply that wrote nothing and can be pressed again."""
    read, summary = _run_import(
        request, scope=scope, campaign=campaign, raw=bytes(stored.content), filename=stored.filename,
        mode=stored.mode, reason=stored.reason, dry_run=True, confirm=confirm,
    )  # fmt: skip
    context = _preview_context(
        read, summary, token=token, filename=stored.filename, mode=stored.mode, campaign=campaign, confirm=confirm
    )
    return render(request, "census/import_preview.html", context, status=status)


@require_POST
@staff_page
def import_apply(request, *, scope: Scope, campaign: Campaign):
    """Apply a previewed file: read again and written all or nothing; what changed since the preview is checked again."""
    token = request.POST.get("token", "")
    # Ticked on the upload form and carried by the preview's "Apply": the same file, confirmed the same way.
    confirm = request.POST.get("confirm_implausible") == "on"
    PendingImport.objects.expired().delete()
    stored = None
    if token and token == request.session.get(IMPORT_SESSION_KEY):
        stored = PendingImport.objects.live().filter(token=token, user=request.user).first()
    if stored is None:
        messages.error(request, _("The uploaded file is no longer kept. Upload it again."))
        return redirect("entry:import")
    try:
        read, summary = _run_import(
            request, scope=scope, campaign=campaign, raw=bytes(stored.content), filename=stored.filename,
            mode=stored.mode, reason=stored.reason, dry_run=False, confirm=confirm,
        )  # fmt: skip
    except FileRejected as exc:
        messages.error(request, exc.message)
        return redirect("entry:import")
    except WriteContended as exc:
        # Retried already and still losing to other saves of the same districts: the file stays
        # kept under its token, and the preview comes back with "Apply" to press again.
        messages.error(request, exc.message)
        return _preview_again(request, scope=scope, campaign=campaign, token=token, stored=stored, status=503, confirm=confirm)
    except (OperationalError, InterfaceError):
        # The database went away mid-import (a restart, a cut connection): its one transaction was
        # rolled back. The file is still kept under its token, so the preview is shown again
        # (on a new connection) with "Apply" to press once more; rows already stored are left alone.
        connection.close_if_unusable_or_obsolete()  # a dead connection is replaced by a new one, not reused
        messages.error(
            request,
            _("The connection to the database was lost while importing %(filename)s: nothing was saved. Apply it again.")
            % {"filename": stored.filename},
        )
        return _preview_again(request, scope=scope, campaign=campaign, token=token, stored=stored, status=503, confirm=confirm)
    if not summary.applied:
        messages.error(request, _("Nothing was written: the file has problems (listed below)."))
        return render(
            request,
            "census/import_preview.html",
            _preview_context(
                read, summary, token=token, filename=stored.filename, mode=stored.mode, campaign=campaign, confirm=confirm
            ),
            status=400,
        )
    stored.delete()
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(
        request,
        _("Imported %(filename)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "filename": stored.filename,
            "created": summary.created,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
        },
    )
    return redirect("entry:import")
