# One image for every process; the command picks it: `python -m services.claims`, `python -m dashboard`.
# The Kubernetes Deployments pass the module as the argument (deploy/k8s/base/apps/).
# Build: docker build -t rcm-platform:0.1.0 .

# ---- build: the project and its pinned dependencies into a virtualenv
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/rcm
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
COPY dashboard dashboard
COPY simulator simulator
COPY cli cli
RUN /opt/rcm/bin/pip install . && /opt/rcm/bin/python -m compileall -q /opt/rcm

# ---- run: no compiler, no source tree, no root
FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 rcm && useradd --system --uid 10001 --gid rcm --no-create-home --shell /usr/sbin/nologin rcm
COPY --from=build /opt/rcm /opt/rcm
ENV PATH=/opt/rcm/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RCM_HTTP_HOST=0.0.0.0
WORKDIR /tmp
USER 10001:10001
ENTRYPOINT ["python", "-m"]
CMD ["services.registration"]
