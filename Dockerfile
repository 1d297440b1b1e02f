# sop-engine in a container: the wheel is built in a first stage and installed into a slim image
# that runs as an unprivileged user. compose.yaml runs it as a central install (PostgreSQL, two
# web nodes, one worker); the README's "Operations" section explains the parts.
#
#   docker build -t sop-engine .
#   docker run --rm -v "$PWD/config.toml:/srv/sop/config.toml:ro" -p 8000:8000 sop-engine
#
# Debian bookworm's postgresql-client (15) is installed for `sop backup create` (pg_dump): it
# must not be older than the PostgreSQL server, which compose.yaml pins to 15 for that reason.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist

FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /srv/sop --shell /usr/sbin/nologin sop
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist

USER sop
WORKDIR /srv/sop
# The example SOP as the office's own copy ([workflows] dir = "workflows"); mount another over it.
RUN python -c "from pathlib import Path; from sop_engine import starter; starter.copy_workflows(Path('workflows'))" \
    && mkdir -p var/artefacts
ENV SOP_CONFIG=/srv/sop/config.toml \
    PYTHONUNBUFFERED=1
EXPOSE 8000
# /healthz answers while the process runs (no database needed); a worker container disables this.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["sop"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-scheduler"]
