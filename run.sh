#!/usr/bin/env bash
# Runs HealthCode on its embedded default: SQLite, in-process cache, the Henan sample keys,
# Development settings. Prints the address to open and where its state is.
#
# The state (the SQLite files of the store and the audit, the audit chain's witness, received batches) goes to HEALTHCODE_DATA,
# by default ${XDG_STATE_HOME:-~/.local/state}/healthcode: it outlives a restart, as a service's
# data should (the residents, operators and audit chain of a walk-through are still there the next
# day), and stays out of the clone, so git status stays clean and a checkout never carries it along.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
url="${HEALTHCODE_URL:-http://127.0.0.1:5080}"
data="${HEALTHCODE_DATA:-${XDG_STATE_HOME:-$HOME/.local/state}/healthcode}"
mkdir -p "$data"
echo "HealthCode starting on $url (resident page: $url/ , API: $url/openapi/v1.json). Ctrl+C stops it."
echo "State: $data (stop the service and run: rm -rf '$data' to start afresh)."
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ConnectionStrings__HealthCode="${ConnectionStrings__HealthCode:-Data Source=$data/healthcode.db}"
export HealthCode__Keys__Path="${HealthCode__Keys__Path:-$root/keys-sample/410000}"
exec dotnet run --project "$root/src/HealthCode.Api" --no-launch-profile -- --urls "$url"
