# One image for the three process kinds: web (gunicorn), worker and beat (celery).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app

# WeasyPrint's libraries and fonts that cover Kazakh letters (for the PDF reports).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Translations: .po files are committed, .mo files are built (no GNU gettext needed).
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py compile_translations
# collectstatic needs settings that load; these throwaway values never serve a request.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput

RUN useradd --system --home /app census && chown -R census /app
USER census
EXPOSE 8000
# 3 processes x 4 threads, as make loadtest measures it: a save waiting on its district's row lock holds a
# thread, not a whole process. Each thread keeps its own database connection (12 per container).
CMD ["gunicorn", "census.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--worker-class", "gthread", "--access-logfile", "-"]
