# SecondLook API image. Used by docker-compose.yml (service "api").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

# Unprivileged runtime user.
RUN groupadd --system --gid 10001 secondlook \
 && useradd --system --uid 10001 --gid secondlook --home-dir /app --shell /usr/sbin/nologin secondlook

WORKDIR /app
COPY . /app
RUN pip install . gunicorn \
 && mkdir -p /app/var \
 && chown -R secondlook:secondlook /app

USER secondlook
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn --config gunicorn.conf.py 'api.app:create_app()'"]
