"""The printable A4 report of a region as of a day, made with WeasyPrint from the dashboard's own figures.

Charts are the server-side SVG of reports/charts.py; the text is set in DejaVu
Sans (Debian's fonts-dejavu-core), which has every Kazakh letter
(ә ғ қ ң ө ұ ү һ і), so nothing falls back to boxes.
"""

from django.template.loader import render_to_string


def region_pdf(context: dict) -> bytes:
    """The PDF bytes of the region report for a region_context() (rendered in the active language)."""
    # Imported here: WeasyPrint loads Pango at import, which only the processes that print need.
    from weasyprint import HTML

    html = render_to_string("reports/pdf/region.html", context)
    # PDF/UA-1: a tagged PDF (headings, tables, lists in a structure tree a screen reader follows) whose title
    # (the page's <title>) is shown instead of the file name, with the language of <html lang> as /Lang.
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
