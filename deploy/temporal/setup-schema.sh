#!/bin/sh
# One-shot job (compose service `temporal-schema`, image temporalio/admin-tools): create Temporal's
# two PostgreSQL databases and bring their schemas up to the version this admin-tools image ships.
#
# Idempotent, so it runs on every `docker compose up`: an existing database is kept, setup-schema
# never lowers a newer version, and update-schema applies only the versions still missing. Raising
# TEMPORAL_VERSION therefore upgrades the schema before the new server starts.
set -eu

: "${POSTGRES_SEEDS:=temporal-db}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
: "${DBNAME:=temporal}"
: "${VISIBILITY_DBNAME:=temporal_visibility}"
# temporal-sql-tool reads the password from SQL_PASSWORD.
SQL_PASSWORD="${POSTGRES_PWD:?POSTGRES_PWD is required}"
export SQL_PASSWORD
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

setup() {  # database, schema folder
  echo "== $1"
  # Fails harmlessly when the database exists (older tools say nothing, newer ones complain);
  # a real problem (wrong password, no server) makes setup-schema fail right after.
  sql_tool --db "$1" create || echo "database $1 not created (it probably exists); continuing"
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

setup "$DBNAME" temporal
setup "$VISIBILITY_DBNAME" visibility
echo "Temporal schemas are up to date."
