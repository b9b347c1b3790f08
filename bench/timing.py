"""What the report benches share: a build timed whole, timed without its PDF (with the
SQL of that part counted), and WeasyPrint timed alone on the very HTML the build made.

Import it after `django.setup()`. The figures are medians over the runs:

- total: the whole build, from the scope to the PDF's bytes;
- data: the same without the PDF (queries, Python, template);
- SQL: the time spent in the database during the data part;
- WeasyPrint alone: the same HTML laid out and written by WeasyPrint, nothing else.
"""

import statistics
import time
from io import BytesIO

from django.conf import settings
from django.db import connection, reset_queries
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

# The limits of the regional report (issue 13), which the national report shares.
TOTAL_LIMIT = 8.0
RATIO_LIMIT = 1.3


class DataOnly:
    """Stands in for a builder module's render_pdf: renders the HTML but draws no PDF,
    and keeps the HTML."""

    def __init__(self, module):
        self.module = module
        self.html = ""

    def _render(self, name, context, on_progress):
        self.html = render_to_string(name, context)
        return self.html.encode()

    def __enter__(self):
        self.real = self.module.render_pdf
        self.module.render_pdf = self._render
        return self

    def __exit__(self, *exc):
        self.module.render_pdf = self.real


def weasyprint_alone(html: str) -> float:
    """Seconds WeasyPrint takes for the HTML, as `render_pdf` calls it."""
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    return time.perf_counter() - started


def _runs(times) -> str:
    return f"{statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"


def time_build(label: str, module, build, runs: int) -> dict:
    """Time `build()` (which returns the PDF's bytes) as a worker runs it; `module` is the
    builder module whose `render_pdf` the data-only runs replace."""
    totals, data, sql, alone, queries, size = [], [], [], [], 0, 0
    for _run in range(runs):
        reset_queries()  # the log keeps 9,000 queries: a full one would count none
        with DataOnly(module) as only, CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            build()
            data.append(time.perf_counter() - started)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries))
        queries = len(captured)
        alone.append(weasyprint_alone(only.html))
        started = time.perf_counter()
        pdf = build()
        totals.append(time.perf_counter() - started)
        size = len(pdf)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    figures = {
        "total": statistics.median(totals),
        "data": statistics.median(data),
        "sql": statistics.median(sql),
        "alone": statistics.median(alone),
        "queries": queries,
    }
    print(
        f"{label}\n"
        f"  total             {_runs(totals)}\n"
        f"  data (no PDF)     {_runs(data)}\n"
        f"  SQL               {_runs(sql)}  {queries} queries\n"
        f"  WeasyPrint alone  {_runs(alone)}\n"
        f"  PDF {size / 1024:.0f} KiB, {pages} pages",
        flush=True,
    )
    return figures


def against_limits(name: str, figures: dict) -> str:
    """One line: the total against 8 s and against 1.3 × (SQL + WeasyPrint alone)."""
    bound = figures["sql"] + figures["alone"]
    ratio = figures["total"] / bound
    verdict = "within" if figures["total"] <= TOTAL_LIMIT and ratio <= RATIO_LIMIT else "OVER"
    return (
        f"  {name}: total {figures['total']:.2f} s (limit {TOTAL_LIMIT:.0f} s); "
        f"SQL {figures['sql']:.2f} s + WeasyPrint alone {figures['alone']:.2f} s = "
        f"{bound:.2f} s; total / that = {ratio:.2f} (limit {RATIO_LIMIT}); "
        f"data {figures['data']:.2f} s; {verdict} the limits"
    )
