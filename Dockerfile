# The PRM image: `web` (gunicorn), `worker` and the one-shot `migrate` job of docker-compose.yml all
# run from it. The project is installed as a package (pip install .) into a virtualenv, its
# dependencies from the lock requirements/runtime.txt (`make lock` writes it); the runtime
# stage holds that virtualenv and nothing else: no sources, no tests, no dev dependencies.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/prm
WORKDIR /src
# What goes in is decided by .dockerignore (no .venv, var/, tests, local .mo files).
COPY . .
# Every dependency comes from the lock, each file checked against its SHA-256 (--require-hashes:
# a file the lock does not name, or a dependency it lacks, stops the build), the very versions CI
# tested. The project itself then adds nothing (--no-deps), and is built by the locked setuptools
# (--no-build-isolation) rather than by whatever setuptools the index offers that day.
# Message catalogs are compiled here, not committed (.mo is ignored by git); compiled before the
# project's install so that the package data (web/translations/**) carries them.
RUN /opt/prm/bin/pip install --require-hashes -r requirements/runtime.txt \
 && /opt/prm/bin/pybabel compile --statistics -d web/translations \
 && /opt/prm/bin/pip install --no-deps --no-build-isolation . \
 && /opt/prm/bin/pip check \
 && cd / \
 && /opt/prm/bin/python -c "import pathlib, db.migrate, settings, worker, web; \
assert list(pathlib.Path(web.__file__).parent.glob('translations/*/LC_MESSAGES/messages.mo'))"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/prm/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/prm prm \
 && install -d -o prm -g prm -m 0750 /var/lib/prm/files
# The file store (FILE_STORE_DIR in docker-compose.yml): created here, owned by prm, so the
# named volume mounted on it starts with that owner instead of root.
COPY --from=build /opt/prm /opt/prm
# A working directory without sources: every import comes from the installed package.
WORKDIR /home/prm
USER prm
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "web:create_app()"]
