# Okno OMS, production image. One image runs every role: the web server (default command), the Celery worker
# and beat (see docker-compose.yml). Settings come from the environment; see README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    OKNO_VAR_DIR=/app/var

# WeasyPrint renders labels, pick lists and acts through Pango/HarfBuzz; DejaVu covers Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, pinned by the lock file, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are collected into the image and served by whitenoise. The dev profile only lends collectstatic
# throwaway keys and a scratch database: nothing from this step reaches the running containers' settings.
RUN OKNO_PROFILE=dev DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 OKNO_VAR_DIR=/tmp/okno-build \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/okno-build /tmp/collectstatic.sqlite3

RUN useradd --create-home --uid 10001 okno && mkdir -p /app/var && chown okno:okno /app/var
USER okno

EXPOSE 8000
# GUNICORN_CMD_ARGS adds or overrides options (e.g. "--workers 8") without rebuilding.
CMD ["gunicorn", "oms.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", \
     "--access-logfile", "-", "--no-control-socket"]
