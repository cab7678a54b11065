"""Compile the project's translations (.po → .mo) with polib, so no GNU gettext is needed.

Django's own `compilemessages` shells out to GNU gettext's `msgfmt`, which a
fresh machine, CI or the Docker image does not have; the .mo files are build
output (ignored by git), so `make install` runs this command instead. Only
`makemessages` (extracting new strings, a translator's job) still needs GNU
gettext. Fuzzy and untranslated entries are left out of the .mo, as msgfmt
does, so they fall back to the English source text.
"""

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def po_files() -> list[Path]:
    """Every locale/*/LC_MESSAGES/*.po under the project's LOCALE_PATHS, in a stable order."""
    found = []
    for locale_dir in settings.LOCALE_PATHS:
        found.extend(sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")))
    return found


def compile_po(po_path: Path) -> tuple[Path, int, int]:
    """Write the .mo beside `po_path`; return its path, the messages compiled and the fuzzy ones skipped."""
    try:
        catalog = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {po_path}: {exc}") from exc
    # polib's .mo holds only translated entries (neither fuzzy nor obsolete nor empty); count what it leaves out.
    translated = len(catalog.translated_entries())
    fuzzy = len(catalog.fuzzy_entries())
    mo_path = po_path.with_suffix(".mo")
    # Written beside the target and renamed over it, so a running server or test never reads half a file.
    partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
    try:
        catalog.save_as_mofile(str(partial))
        os.replace(partial, mo_path)
    finally:
        partial.unlink(missing_ok=True)
    return mo_path, translated, fuzzy


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed); fuzzy entries are skipped."

    def handle(self, *args, **options):
        sources = po_files()
        if not sources:
            self.stdout.write(f"No .po files under {', '.join(str(p) for p in settings.LOCALE_PATHS)}; nothing to compile.")
            return
        for po_path in sources:
            mo_path, translated, fuzzy = compile_po(po_path)
            skipped = f", {fuzzy} fuzzy skipped" if fuzzy else ""
            self.stdout.write(f"Compiled {_shown(po_path)} -> {_shown(mo_path)} ({translated} translated{skipped})")
