#!/usr/bin/env bash
# HTTP verify measured with wrk, side by side in one session (docs/PERFORMANCE.md, issue 9): each target is a
# Release build started here on 127.0.0.1 with a fresh data folder (Development, sample keys of 410000, Warning
# logging); the services get a staff token from the operator key; every run POSTs the same real signed code.
# Runs alternate between the targets, round after round, with the same wrk threads, connections and duration.
#
#   bench/wrk/issue9.sh name=path/to/HealthCode.Api.dll ... bare=bench/BareVerify/bin/Release/net10.0/BareVerify.dll
#
# A target named "bare" is the bare endpoint (bench/BareVerify: no token, no audit). Settings (environment):
# ROUNDS (5), SECONDS_PER_RUN (10), CONNECTIONS (16), THREADS (1), WARMUP (5 s per target), PAIRS (the ratios to
# print, "after/before after/bare before/bare").
# Prints one line per run: round, target, requests/s, p50 and p99 latency, non-2xx answers, socket errors, and the
# target's CPU time per request (from /proc, user + system); then the medians and the ratios of each round
# (bench/wrk/ratios.awk). Stops what it started, by PID.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=${ROUNDS:-5}; seconds=${SECONDS_PER_RUN:-10}; connections=${CONNECTIONS:-16}; threads=${THREADS:-1}; warmup=${WARMUP:-5}
admin="bench-operator-key-0123456789"
work="$(mktemp -d /tmp/hc-wrk-XXXXXX)"
declare -A url pid token
names=()
stop() { for name in "${names[@]}"; do kill "${pid[$name]}" 2>/dev/null || true; done; }
trap stop EXIT

port=5390
for target in "$@"; do
  name="${target%%=*}"; dll="${target#*=}"; port=$((port + 1))
  names+=("$name"); url[$name]="http://127.0.0.1:$port"; mkdir -p "$work/$name"
  if [ "$name" = bare ]; then
    (cd "$root" && exec dotnet "$dll" --urls "${url[$name]}" --keys keys-sample/410000) >"$work/$name.log" 2>&1 &
  else
    (cd "$(dirname "$dll")" && ASPNETCORE_ENVIRONMENT=Development \
      ConnectionStrings__HealthCode="Data Source=$work/$name/hc.db" \
      HealthCode__Keys__Path="$root/keys-sample/410000" HealthCode__Admin__ApiKey="$admin" \
      HealthCode__Codes__TokenLifetime=00:30:00 Logging__LogLevel__Default=Warning \
      exec dotnet "$dll" --urls "${url[$name]}" --contentRoot "$root/src/HealthCode.Api") >"$work/$name.log" 2>&1 &
  fi
  pid[$name]=$!
done

for name in "${names[@]}"; do
  for _ in $(seq 120); do
    if [ "$name" = bare ]; then curl -s -o /dev/null -X POST "${url[$name]}/" -d '{}' && break
    else curl -sf -o /dev/null "${url[$name]}/healthz" && break; fi
    sleep 0.5
  done
  if [ "$name" != bare ]; then
    token[$name]=$(curl -sf "${url[$name]}/api/v1/admin/staff" -H "authorization: Bearer $admin" \
      -H 'content-type: application/json' -d '{"name":"王检查","checkpointId":"CP1"}' | jq -r .token)
    issuer=$name
  else
    token[$name]=none
  fi
done

# A resident's real code, signed by one of the services (all hold the same sample keys); valid for 30 minutes.
phone="139$(shuf -i 10000000-99999999 -n 1)"
base="${url[$issuer]}"
dev=$(curl -sf "$base/api/v1/auth/otp" -H 'content-type: application/json' -d "{\"phone\":\"$phone\"}" | jq -r .devCode)
session=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' -d "{\"phone\":\"$phone\",\"code\":\"$dev\"}" | jq -r .token)
curl -sf "$base/api/v1/declarations" -H "authorization: Bearer $session" -H 'content-type: application/json' -d "{
  \"name\":\"张三艺\",\"idNumber\":\"11010519491231002X\",\"phone\":\"$phone\",\"region\":\"410100\",\"travel\":[],\"symptoms\":[],
  \"temperature\":36.6,\"contact\":{\"confirmedCase\":false,\"suspectedCase\":false,\"closeContactNotice\":false}}" >/dev/null
qr=$(curl -sf "$base/api/v1/me/code/qr?format=text" -H "authorization: Bearer $session")
printf '{"qr":"%s","checkpointId":"CP1"}' "$qr" >"$work/body.json"
for name in "${names[@]}"; do
  valid=$(curl -sf "${url[$name]}/api/v1/verify" -H "authorization: Bearer ${token[$name]}" -H 'content-type: application/json' \
    --data-binary @"$work/body.json" | jq -r .valid)
  [ "$valid" = true ] || { echo "$name does not answer the code valid"; exit 1; }
done

run() { # name seconds -> "rps p50 p99 non2xx socket_errors cpu_us_per_request"
  local name=$1 duration=$2 before after result requests
  before=$(awk '{print $14 + $15}' "/proc/${pid[$name]}/stat")
  result=$(BODY_FILE="$work/body.json" TOKEN="${token[$name]}" wrk -t"$threads" -c"$connections" -d"${duration}s" \
    -s "$root/bench/wrk/verify.lua" "${url[$name]}" | grep '^RESULT')
  after=$(awk '{print $14 + $15}' "/proc/${pid[$name]}/stat")
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
  echo "$result cpu_us_per_request=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1) ))"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d${seconds}s"
for name in "${names[@]}"; do run "$name" "$warmup" >/dev/null; done
count=${#names[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((count - 1))); do
    name=${names[$(( (i + round - 1) % count ))]}
    echo "round=$round target=$name $(run "$name" "$seconds" | sed 's/^RESULT //')"
  done
done | tee "$work/runs.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v pairs="${PAIRS:-after/before after/bare before/bare}" -f "$root/bench/wrk/ratios.awk" "$work/runs.txt"
