# The PRM image: `web` (gunicorn), `worker` and the one-shot `migrate` job of docker-compose.yml all
# run from it. The project is installed as a package (pip install .) into a virtualenv; the runtime
# stage holds that virtualenv and nothing else: no sources, no tests, no dev dependencies.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/prm
WORKDIR /src
# What goes in is decided by .dockerignore (no .venv, var/, tests, local .mo files).
COPY . .
# Message catalogs are compiled here, not committed (.mo is ignored by git); compiled before the
# install so that the package data (web/translations/**) carries them.
RUN /opt/prm/bin/pip install "babel>=2.16" \
 && /opt/prm/bin/pybabel compile --statistics -d web/translations \
 && /opt/prm/bin/pip install . \
 && cd / \
 && /opt/prm/bin/python -c "import pathlib, db.migrate, settings, worker, web; \
assert list(pathlib.Path(web.__file__).parent.glob('translations/*/LC_MESSAGES/messages.mo'))"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/prm/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/prm prm
COPY --from=build /opt/prm /opt/prm
# A working directory without sources: every import comes from the installed package.
WORKDIR /home/prm
USER prm
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "web:create_app()"]
