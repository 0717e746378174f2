# Production image of Okrsek: Debian's Python (its sqlite3 loads SpatiaLite), GDAL, Pango for WeasyPrint.
# Tested by scripts/image-test (built from a Debian root made with mmdebstrap, run against PostGIS + Redis).
FROM debian:12-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DEBIAN_FRONTEND=noninteractive PORT=8000
WORKDIR /app
# The same Debian packages as `make run` (one list, in the Makefile), without recommended extras; the
# certificate authorities for SMTP over TLS.
COPY Makefile ./
COPY scripts/apt-install scripts/
RUN apt-get update && apt-get install -y --no-install-recommends make ca-certificates \
    && APT_NO_RECOMMENDS=1 make system \
    && rm -rf /var/lib/apt/lists/* var
COPY pyproject.toml requirements.lock README.md ./
RUN python3 -m venv /app/.venv \
    && /app/.venv/bin/pip install --no-cache-dir --disable-pip-version-check -c requirements.lock . \
    && rm -rf build *.egg-info
COPY . .
# Every catalogue (locale/ and each app's <app>/locale/) with the Makefile's own rule; static files with
# the production storage, whose manifest the pages need (DEBUG=0; the key is used for nothing else).
RUN make messages \
    && DEBUG=0 SECRET_KEY=collectstatic-only OKRSEK_IGNORE_DOTENV=1 \
       /app/.venv/bin/python manage.py collectstatic --no-input -v 0 \
    && useradd --system --home /app okrsek && mkdir -p /app/var/media /app/var/celery \
    && chown -R okrsek /app/var
USER okrsek
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python3", "scripts/healthcheck.py"]
# Gunicorn has no limit on a request body (its --limit-request-* options cap the request line and headers
# only): Django refuses a body over MAX_REQUEST_BODY (12 MB) with a 413 before reading it, and the proxy in
# front should refuse it too (nginx: client_max_body_size 12m; README, Deployment).
CMD ["sh", "-c", "exec gunicorn portal.wsgi --bind 0.0.0.0:${PORT} --workers ${WEB_WORKERS:-3} --access-logfile -"]
