# csto-monitor: the daemon (`csto-monitor run`) with its HTTP server on port 8080.
# Build: docker build -t csto-monitor .   Run with PostgreSQL: docker compose up -d
# The build context is the whole tree less .dockerignore; make test builds and runs this
# file for real (tests/container/).

# --- deps: a non-root user, the locked dependencies (hashed) in a virtualenv, config/ --
# Rebuilt only when the lock changes, not at each change of the code; the image is this
# stage plus the project's wheel, so the cached virtualenv is never copied again.
FROM python:3.11-slim AS deps
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CSTO_MONITOR_CONFIG=/app/config/docker.yaml
RUN groupadd --system --gid 10001 csto \
 && useradd --system --uid 10001 --gid csto --home-dir /app --shell /usr/sbin/nologin csto
RUN python -m venv /opt/venv
COPY requirements/runtime.txt /tmp/runtime.txt
RUN pip install --require-hashes -r /tmp/runtime.txt
WORKDIR /app
COPY config ./config
RUN mkdir -p /app/data && chown csto:csto /app/data

# --- wheel: exactly what pyproject.toml packages (packages, templates, migrations) -------
# The context is the whole tree less .dockerignore, so a new package needs no line here.
FROM deps AS wheel
WORKDIR /src
# The build backend (pyproject.toml's build-system) in a layer of its own, kept while
# pyproject.toml is unchanged, instead of fetched again by each build.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))\
['build-system']['requires'], sep='\n')" > /tmp/build.txt && pip install -r /tmp/build.txt
COPY . .
RUN pip wheel --no-build-isolation --no-deps --wheel-dir /wheels .

# --- runtime: the dependencies and the configuration (deps), the wheel, data in a volume
FROM deps
COPY --from=wheel /wheels /tmp/wheels
# No dependencies from here on: all are in the lock, and `pip check` proves it.
RUN pip install --no-deps /tmp/wheels/*.whl && pip check && rm -rf /tmp/wheels
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
