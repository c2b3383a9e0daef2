#!/usr/bin/env bash
# Runs every test project of HealthCode. Installs what the tests need when it is missing
# (Debian chromium for the page tests, ffmpeg for the fake camera, redis-server for federation,
# zbar-tools as a second QR decoder, npm for the scanner's QR decoder, prometheus for promtool, which
# checks /metrics, nginx in front of several instances), builds once, runs each test project, and ends with one line summed over all of
# them: "N passed, N failed, N skipped".
# Exits non-zero when anything failed or did not run.
set -uo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"

missing=()
# docker-compose: its `config` checks deploy/compose.yaml without a container engine (the deploy tests).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# PostgreSQL's server binaries: the store tests and a second run of the Api tests use a private cluster (issue 13).
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "could not install ${missing[*]}"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$root/.test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build HealthCode.sln -c Release -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

passed=0; failed=0; skipped=0; status=0
# The Api tests run a second time with the store on PostgreSQL (entry "postgres:..."), but for what only SQLite has.
for project in tests/*/*.csproj postgres:tests/HealthCode.Api.Tests/HealthCode.Api.Tests.csproj; do
  store=""; only=()
  if [[ "$project" == postgres:* ]]; then
    project="${project#postgres:}"; store=postgres; only=(--filter "TestCategory!=SqliteOnly")
  fi
  name="$(basename "$project" .csproj)${store:+.Postgres}"
  echo "== $name"
  HEALTHCODE_TEST_STORE="$store" dotnet test "$project" -c Release --no-build --nologo "${only[@]}" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name produced no results"
    failed=$((failed + 1)); status=1
    continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  count() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  total=$(count total); executed=$(count executed); p=$(count passed); f=$(count failed)
  f=$(( f + $(count error) + $(count timeout) + $(count aborted) ))
  passed=$((passed + p)); failed=$((failed + f))
  skipped=$((skipped + total - executed))
done

if [ "$failed" -gt 0 ]; then
  # Name what failed just above the summary, so a log that keeps only its tail still says which test it was.
  echo "== failed tests"
  for trx in "$results"/*.trx; do
    grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
      | sed -n 's/.*testName="\([^"]*\)".*/  \1/p'
  done
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
exit $status
