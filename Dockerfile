# Production image: gunicorn for the web, the same image for the Celery worker and beat.
# Python 3.11 on Debian 12 (bookworm), as on the development and CI machines.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings

# WeasyPrint (amortisation tables as PDF) renders with Pango and needs a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/portal --uid 10001 --user-group portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: exactly the versions and hashes of
# uv.lock (without the dev extra), into /opt/venv. uv comes from PyPI at the version pyproject.toml
# requires ([tool.uv] required-version), and leaves the image afterwards.
COPY pyproject.toml uv.lock ./
RUN pip install "uv==$(sed -n 's/^required-version = "==\(.*\)"$/\1/p' pyproject.toml)" \
    && uv sync --locked \
    && pip uninstall --yes uv

COPY . .
# Static files are part of the image (served by WhiteNoise); collectstatic needs no database.
# (no secret is used here, but settings refuse to load without one when DEBUG is off)
RUN DJANGO_DEBUG=false DJANGO_ALLOW_DEVELOPMENT_OUTBOX=true DJANGO_SECRET_KEY=collectstatic-only-not-a-real-key python manage.py collectstatic --noinput \
    && mkdir -p /app/var/private \
    && chown -R portal:portal /app/var

USER portal
EXPOSE 8000

# portal/gunicorn_conf.py: access log on stdout with invitation tokens cut out, no control socket
CMD ["gunicorn", "--config", "python:portal.gunicorn_conf", "portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3"]
