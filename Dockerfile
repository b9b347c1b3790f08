FROM python:3.11-slim-bookworm

# Pango for WeasyPrint's PDFs; fonts for Swedish text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && msgfmt -o locale/sv/LC_MESSAGES/django.mo locale/sv/LC_MESSAGES/django.po \
    && DEBUG=1 python manage.py collectstatic --noinput

ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
