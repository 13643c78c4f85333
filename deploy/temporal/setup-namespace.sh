#!/bin/sh
# One-shot job (compose service `temporal-setup`, image temporalio/admin-tools): create PRM's
# namespace and register the custom search attributes its workflows set and its ops pages filter
# on. Idempotent: it runs on every `docker compose up` and only adds what is missing.
#
# The temporal CLI reads its connection from the environment, so the same script also prepares an
# existing cluster or Temporal Cloud: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
# TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH (see README, Production).
# Set CREATE_NAMESPACE=0 where the namespace is managed elsewhere (Temporal Cloud).
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=30d}"
: "${CREATE_NAMESPACE:=1}"
: "${WAIT_SECONDS:=180}"
: "${SETTLE_SECONDS:=15}"
export TEMPORAL_ADDRESS TEMPORAL_NAMESPACE
ns="$TEMPORAL_NAMESPACE"

# Name:Type, one per line. Must equal workflows/search.py ALL (tests/deploy checks that it does).
SEARCH_ATTRIBUTES='
PartnerOrg:Keyword
PartnerName:Keyword
ProcessStage:Keyword
Assignee:Keyword
DueDate:Datetime
Tier:Keyword
DealStatus:Keyword
'

echo "Waiting for Temporal at $TEMPORAL_ADDRESS ..."
waited=0
until temporal operator cluster health >/dev/null 2>&1; do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    echo "Temporal at $TEMPORAL_ADDRESS did not answer within ${WAIT_SECONDS}s" >&2
    temporal operator cluster health >&2 || true
    exit 1
  fi
  sleep 2
  waited=$((waited + 2))
done

if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "Namespace $ns exists."
elif [ "$CREATE_NAMESPACE" = "1" ]; then
  echo "Creating namespace $ns (retention $NAMESPACE_RETENTION) ..."
  temporal operator namespace create --namespace "$ns" --retention "$NAMESPACE_RETENTION"
else
  echo "Namespace $ns does not exist and CREATE_NAMESPACE=$CREATE_NAMESPACE: create it first." >&2
  exit 1
fi

# A new namespace reaches the frontend's namespace cache within ~10s: until then listing fails.
waited=0
until existing=$(temporal operator search-attribute list --namespace "$ns" 2>&1); do
  if [ "$waited" -ge 60 ]; then
    echo "$existing" >&2
    exit 1
  fi
  sleep 2
  waited=$((waited + 2))
done
type_of() {
  # The list prints one attribute per line: name, then type.
  printf '%s\n' "$existing" | awk -v n="$1" '$1 == n { print $2 }'
}

created=0
for entry in $SEARCH_ATTRIBUTES; do
  name=${entry%%:*}
  type=${entry#*:}
  found=$(type_of "$name")
  if [ "$found" = "$type" ]; then
    echo "Search attribute $name ($type) exists."
    continue
  elif [ -n "$found" ]; then
    echo "Search attribute $name exists as $found, PRM needs $type: fix it by hand." >&2
    exit 1
  fi
  echo "Creating search attribute $name ($type) ..."
  # Adding an attribute that exists with the same type succeeds, so a concurrent run is harmless.
  temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  created=$((created + 1))
done

if [ "$created" -gt 0 ]; then
  # Services cache the namespace's attribute mapping and refresh it every ~10s: wait that out so
  # the first workflow started after this job finds its attributes.
  sleep "$SETTLE_SECONDS"
fi
echo "Namespace $ns is ready with PRM's search attributes."
