#!/usr/bin/env bash
# A resident page refresh against a text refresh, measured with wrk side by side in one run (docs/PERFORMANCE.md,
# "Resident page refresh (issue 12)"). One Release service started here on 127.0.0.1 with a fresh data folder
# (Development, sample keys of 410000, Warning logging); one resident logs in and declares; then, round after round
# and in turns, wrk drives each target with that resident's session token (bench/page-refresh/refresh.lua):
#   text       GET /me/code/qr?format=text alone: the signature, the cost the page should match
#   page       what the page sends per refresh since issue 12: the same text request (it draws the QR itself and reads
#              GET /me/code only when the X-HealthCode-Code-Updated-At header or the token's colour changed)
#   page-code  the page's refresh when the code record did change: text, then GET /me/code (the rare case)
#   old-page   the page before issue 12: GET /me/code and GET /me/code/qr?format=svg, every refresh
#   svg        GET /me/code/qr?format=svg alone (printing keeps it)
#
#   bench/page-refresh/run.sh [path/to/HealthCode.Api.dll]     (default: the Release build of this work tree)
#
# Settings (environment): ROUNDS (3), SECONDS_PER_RUN (10), CONNECTIONS (16), THREADS (1), WARMUP (5 s per
# target), OUT (a folder for the raw outputs; default a new /tmp folder). Prints one line per run (refreshes per
# second as rps, requests per second, latency, errors, the service's CPU time per refresh from /proc), then the
# medians and each round's ratios (bench/wrk/ratios.awk). Stops what it started, by PID.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dll="${1:-$root/src/HealthCode.Api/bin/Release/net10.0/HealthCode.Api.dll}"
rounds=${ROUNDS:-3}; seconds=${SECONDS_PER_RUN:-10}; connections=${CONNECTIONS:-16}; threads=${THREADS:-1}; warmup=${WARMUP:-5}
out="${OUT:-$(mktemp -d /tmp/hc-page-refresh-XXXXXX)}"
mkdir -p "$out"
work="$(mktemp -d /tmp/hc-page-refresh-data-XXXXXX)"
admin="bench-operator-key-0123456789"
port=${PORT:-5481}
base="http://127.0.0.1:$port"
[ -f "$dll" ] || { echo "no build at $dll: run dotnet build HealthCode.sln -c Release first" >&2; exit 1; }

(cd "$(dirname "$dll")" && ASPNETCORE_ENVIRONMENT=Development \
  ConnectionStrings__HealthCode="Data Source=$work/hc.db" \
  HealthCode__Keys__Path="$root/keys-sample/410000" HealthCode__Admin__ApiKey="$admin" \
  Logging__LogLevel__Default=Warning \
  exec dotnet "$dll" --urls "$base" --contentRoot "$root/src/HealthCode.Api") >"$work/service.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.5; done
curl -sf -o /dev/null "$base/healthz" || { echo "the service did not start:" >&2; cat "$work/service.log" >&2; exit 1; }

# One resident with a green code.
phone="139$(shuf -i 10000000-99999999 -n 1)"
dev=$(curl -sf "$base/api/v1/auth/otp" -H 'content-type: application/json' -d "{\"phone\":\"$phone\"}" | jq -r .devCode)
token=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' -d "{\"phone\":\"$phone\",\"code\":\"$dev\"}" | jq -r .token)
curl -sf "$base/api/v1/declarations" -H "authorization: Bearer $token" -H 'content-type: application/json' -d "{
  \"name\":\"张三艺\",\"idNumber\":\"11010519491231002X\",\"phone\":\"$phone\",\"region\":\"410100\",\"travel\":[],\"symptoms\":[],
  \"temperature\":36.6,\"contact\":{\"confirmedCase\":false,\"suspectedCase\":false,\"closeContactNotice\":false}}" >/dev/null
curl -sf "$base/api/v1/me/code/qr?format=text" -H "authorization: Bearer $token" | grep -q '^HC1:/' \
  || { echo "the resident has no code" >&2; exit 1; }

declare -A paths=(
  [text]="/api/v1/me/code/qr?format=text"
  [page]="/api/v1/me/code/qr?format=text"
  [page-code]="/api/v1/me/code/qr?format=text,/api/v1/me/code"
  [old-page]="/api/v1/me/code,/api/v1/me/code/qr?format=svg"
  [svg]="/api/v1/me/code/qr?format=svg"
)
names=(text page page-code old-page svg)

run() { # name seconds -> the RESULT line with the service's CPU time per refresh
  local name=$1 duration=$2 before after result refreshes
  before=$(awk '{print $14 + $15}' "/proc/$service/stat")
  result=$(PATHS="${paths[$name]}" TOKEN="$token" wrk -t"$threads" -c"$connections" -d"${duration}s" \
    -s "$root/bench/page-refresh/refresh.lua" "$base" | tee -a "$out/wrk-raw.txt" | grep '^RESULT')
  after=$(awk '{print $14 + $15}' "/proc/$service/stat")
  refreshes=$(awk -v r="$(sed 's/.*requests=\([0-9]*\) per_refresh=\([0-9]*\).*/\1 \2/' <<<"$result")" \
    'BEGIN { split(r, a, " "); print int(a[1] / a[2]) }')
  echo "$result cpu_us_per_request=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / (refreshes > 0 ? refreshes : 1) ))"
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d${seconds}s; service $dll"
  echo "# cpu_us_per_request is the service's CPU time per refresh (per_refresh requests)"
} | tee "$out/runs.txt"
for name in "${names[@]}"; do echo "## warm-up $name" >>"$out/wrk-raw.txt"; run "$name" "$warmup" >/dev/null; done
count=${#names[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((count - 1))); do
    name=${names[$(( (i + round - 1) % count ))]}
    echo "## round=$round target=$name" >>"$out/wrk-raw.txt"
    echo "round=$round target=$name $(run "$name" "$seconds" | sed 's/^RESULT //')"
  done
done | tee -a "$out/runs.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/runs.txt"
awk -v pairs="page/text page-code/text old-page/text svg/text" -f "$root/bench/wrk/ratios.awk" "$out/runs.txt" | tee "$out/summary.txt"
echo "raw outputs in $out"
