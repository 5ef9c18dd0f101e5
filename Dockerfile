# csto-monitor: the daemon (`csto-monitor run`) with its HTTP server on port 8080.
# Build: docker build -t csto-monitor .   Run with PostgreSQL: docker compose up -d

# --- build: install the package and its pinned dependencies into a virtualenv ----------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scraper ./scraper
COPY monitor ./monitor
COPY notifier ./notifier
# The templates and migrations are package data (pyproject.toml): installed with the code.
RUN /opt/venv/bin/pip install .

# --- runtime: the virtualenv, the configuration, a non-root user, data in a volume -------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    CSTO_MONITOR_CONFIG=/app/config/docker.yaml
RUN groupadd --system --gid 10001 csto \
 && useradd --system --uid 10001 --gid csto --home-dir /app --shell /usr/sbin/nologin csto
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY config ./config
RUN mkdir -p /app/data && chown csto:csto /app/data
VOLUME ["/app/data"]
USER csto
EXPOSE 8080
# Liveness: /healthz answers 503 only when the daemon itself is broken (its loop, database
# or scheduler), never because the CSTO site is down (that is /readyz's and /metrics' job).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
# The same entry point as `make run`; `run` applies database migrations before it starts.
ENTRYPOINT ["csto-monitor"]
CMD ["run"]
