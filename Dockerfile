FROM python:3.11-slim-bookworm

# Pango for WeasyPrint's PDFs; fonts for Swedish text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# The same steps as scripts/prod-check.sh, which proves them without Docker. collectstatic
# runs with production settings (DEBUG off, the strict manifest storage); the secret is a
# throwaway for this step only, the real one comes from the environment at run time.
RUN pip install --no-cache-dir -c constraints.txt . \
    && msgfmt --check -o locale/sv/LC_MESSAGES/django.mo locale/sv/LC_MESSAGES/django.po \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-used-at-run-time python manage.py collectstatic --noinput \
    && useradd --system --home-dir /app portal \
    && mkdir -p /data/media \
    && chown portal /data/media

USER portal
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py (README, "Web server").
CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"]
