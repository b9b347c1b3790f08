"""Report builders: one module per report, each turning a scope and a data date into PDF
bytes with WeasyPrint from a Django template.

A builder only reads. It runs a fixed number of queries whatever the number of managers,
reports its progress through `on_progress(percent)`, and raises `ReportRefused` with words
for the reader when the report cannot be made for this scope.
"""

import logging
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import ReportKind, ReportScope

ProgressCallback = Callable[[int], None]

# WeasyPrint logs each step of each PDF at INFO; a report's own progress is on its row.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class ReportRefused(Exception):
    """The report cannot be made for this scope; the message says why, for the reader."""


def _ignore(percent: int) -> None:
    return None


def render_pdf(template_name: str, context: dict, on_progress: ProgressCallback) -> bytes:
    # WeasyPrint takes a second to import: only processes that make PDFs pay for it.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    on_progress(60)
    # Tagged PDF (PDF/UA): headings, tables and reading order for screen readers.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def common_context(*, title, data_date: date, reference: str) -> dict:
    return {
        "title": title,
        "data_date": data_date,
        "reference": reference,
        "made_at": timezone.localtime(),
    }


def build_pdf(
    *,
    kind: str,
    scope: ReportScope,
    data_date: date,
    language: str,
    reference: str,
    on_progress: ProgressCallback | None = None,
    period: tuple[str, str] | None = None,
) -> bytes:
    """`period` (first term, last term) narrows the regional follow-up to those terms."""
    from . import certificate, compliance, progress, regional

    builders = {
        ReportKind.PROGRESS: progress.build,
        ReportKind.COMPLIANCE: compliance.build,
        ReportKind.REGIONAL: regional.build,
        ReportKind.CERTIFICATE: certificate.build,
    }
    # Only the regional follow-up is counted per term; the others take no period.
    extra = {"period": period} if period and kind == ReportKind.REGIONAL else {}
    with translation.override(language or settings.LANGUAGE_CODE):
        return builders[kind](
            scope=scope,
            data_date=data_date,
            reference=reference,
            on_progress=on_progress or _ignore,
            **extra,
        )
