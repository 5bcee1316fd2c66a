# vcpbot in a container: one process, all of the bot. See docs/operator.md, "Containers".
# Built from the lock (exact versions with hashes); runs as an unprivileged user; no
# secret is ever in a layer: the token and keys come in at run time as files
# (/run/secrets, compose "secrets"), and the runtime key lives in memory (/run/vcpbot).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/vcpbot/.venv/bin:$PATH \
    VCPBOT_RUNTIME_DIR=/run/vcpbot \
    MPLCONFIGDIR=/tmp/matplotlib

RUN groupadd --system --gid 10001 vcpbot \
    && useradd --system --uid 10001 --gid vcpbot --home-dir /var/lib/vcpbot \
       --create-home --shell /usr/sbin/nologin vcpbot

WORKDIR /opt/vcpbot
COPY requirements/run.lock requirements/run.lock
RUN python -m venv .venv \
    && .venv/bin/pip install --require-hashes -r requirements/run.lock

COPY pyproject.toml README.md alembic.ini ./
COPY vcpbot vcpbot
COPY cogs cogs
COPY migrations migrations
COPY config config
RUN .venv/bin/pip install --no-deps -e . \
    && vcpbot --version

USER 10001:10001
WORKDIR /var/lib/vcpbot
# Settings: /etc/vcpbot/vcpbot.toml (mounted); secrets: one file per key in /run/secrets.
ENTRYPOINT ["vcpbot", "--config", "/etc/vcpbot/vcpbot.toml", "--secrets-dir", "/run/secrets"]
CMD ["run"]
