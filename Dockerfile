# OpsDesk: one image for the web app (gunicorn), the Celery worker and celery beat.
# docker-compose.yml runs the whole stack from it; see README.md "Running with docker-compose".
# Front-end assets from the npm registry, pinned by package-lock.json (no CDN at run time).
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=opsdesk.settings.production \
    WEB_CONCURRENCY=3

# Store time zones need the IANA database; recent slim images no longer ship tzdata.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*

# The app runs as an unprivileged user; the code stays owned by root (read-only to it).
RUN groupadd --gid 1000 opsdesk \
    && useradd --uid 1000 --gid opsdesk --create-home --shell /usr/sbin/nologin opsdesk

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# Chart.js, served from our static files (see the Makefile's install step).
COPY --from=assets /build/node_modules/chart.js/dist/chart.umd.js /build/node_modules/chart.js/dist/chart.umd.js.map static/vendor/chartjs/

# Translations and static files are built into the image. production settings refuse to
# load without SECRET_KEY, so these two commands get a throw-away one (not kept in the image).
# var/ holds the collected static files and the media directory (a volume in compose).
RUN SECRET_KEY=build-only-not-a-secret python manage.py compile_translations \
    && SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R opsdesk:opsdesk var

USER opsdesk

EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it). Migrations are not run here: docker-compose.yml
# runs `manage.py migrate` before gunicorn; elsewhere run it once per release.
CMD ["gunicorn", "opsdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
