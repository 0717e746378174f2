# Production image of Okrsek: Debian's Python (its sqlite3 loads SpatiaLite), GDAL, Pango for WeasyPrint.
FROM debian:12-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
      python3 python3-venv gdal-bin libsqlite3-mod-spatialite libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core gettext make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN python3 -m venv /app/.venv
COPY . .
RUN /app/.venv/bin/pip install --no-cache-dir -c requirements.lock -e . \
    && for po in locale/*/LC_MESSAGES/django.po; do msgfmt -o "${po%.po}.mo" "$po"; done \
    && DEBUG=1 /app/.venv/bin/python manage.py collectstatic --no-input -v 0 \
    && useradd --system --home /app okrsek && mkdir -p /app/var && chown -R okrsek /app/var
USER okrsek
ENV PATH=/app/.venv/bin:$PATH
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
