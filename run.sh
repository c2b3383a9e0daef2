#!/usr/bin/env bash
# Runs HealthCode on its embedded default: SQLite in ./data, in-process cache, the Henan sample
# keys, Development settings. Prints the address to open.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
url="${HEALTHCODE_URL:-http://127.0.0.1:5080}"
mkdir -p "$root/data"
echo "HealthCode starting on $url (resident page: $url/ , API: $url/openapi/v1.json). Ctrl+C stops it."
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ConnectionStrings__HealthCode="${ConnectionStrings__HealthCode:-Data Source=$root/data/healthcode.db}"
export HealthCode__Keys__Path="${HealthCode__Keys__Path:-$root/keys-sample/410000}"
exec dotnet run --project "$root/src/HealthCode.Api" --no-launch-profile -- --urls "$url"
