#!/usr/bin/env bash
# The layers of README "Layout": `model` (pure) <- `api` <- `ui`; `backend` under `api`; the
# server on top. Fails, naming the lines, when a layer imports what it must not. Comments may
# name other layers.
set -uo pipefail
cd "$(dirname "$0")/../app/src"

failed=0
forbid() {
  local what=$1 pattern=$2
  shift 2
  local hits
  hits=$(grep -rnE "$pattern" "$@" --include='*.rs' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
  if [[ -n $hits ]]; then
    echo "layer check: $what"
    echo "$hits"
    failed=1
  fi
}

forbid "the ui never imports the backend (the server puts what pages need in context)" \
  'crate::backend|super::backend' ui
forbid "nothing but the server and the ui imports the ui" \
  'crate::ui' api backend model
forbid "the backend sits under the api and never imports it" \
  'crate::api' backend
forbid "the model is pure: it imports no other layer" \
  'crate::(api|backend|ui)' model

if [[ $failed == 0 ]]; then
  echo "layer check: model <- api <- ui, backend under api: every import in its place"
fi
exit $failed
