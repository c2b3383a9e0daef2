#!/usr/bin/env bash
# One batch of issue 10 (docs/PERFORMANCE.md, "Batches from the departments"), through the real service and the real CLI:
#   ROWS=1000000 bench/batches/issue10.sh          # SCANS=1: wrk before, during the apply, after
#   ROWS=100000 SCANS=0 bench/batches/issue10.sh   # memory at a tenth of the file
#   ROWS=10000 RESIDENTS=10000 SCANS=0 bench/batches/issue10.sh   # re-scoring 10,000 residents who declared
# With BULK=1 (the default) the same CSV then goes into a fresh store of the same schema on the same file system by
# BatchBench bulk (one transaction, no checks): the baseline the service's apply time is read against.
#
# Starts a Release build of the service (DLL, default this tree's) on 127.0.0.1 with a fresh data folder (Development,
# sample keys of 410000, the bootstrap operator key, Warning logging but the batch applier's Information lines; the
# one-time code limits per address and overall are raised only when RESIDENTS > 0, for that loop). Then, through the
# API: a department BENCH registered with a key made by `healthcode keys generate --department BENCH`, a close_contacts
# catalogue entry 410000-BENCH-001, an operator of role department:BENCH; RESIDENTS persons log in and declare
# (BatchBench residents). The CSV (persons 0 to ROWS-1, BatchBench generate) is kept in /tmp/hc-batches and made once.
# `healthcode batch upload` hashes, signs and streams it; BatchBench watch follows the batch (status every 100 ms) and
# the service's VmRSS/VmHWM. With SCANS=1, wrk POSTs a real code to /api/v1/verify for 10 s (CONNECTIONS, 16) before
# the upload, while the batch is in the phase(s) SCAN_PHASES ("applying"), and after it is applied.
# Stops the service it started, by PID. Raw output: $OUT (a new folder in /tmp unless given).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rows=${ROWS:-1000000}; residents=${RESIDENTS:-0}; scans=${SCANS:-1}; connections=${CONNECTIONS:-16}; seconds=${SECONDS_PER_RUN:-10}
phases=${SCAN_PHASES:-applying}; bulk=${BULK:-1}
dll=${DLL:-$root/src/HealthCode.Api/bin/Release/net10.0/HealthCode.Api.dll}
cli=(dotnet "$root/src/HealthCode.Cli/bin/Release/net10.0/healthcode.dll")
bench=(dotnet "$root/bench/BatchBench/bin/Release/net10.0/BatchBench.dll")
admin="bench-operator-key-0123456789"
work="$(mktemp -d /tmp/hc-batch-XXXXXX)"; out=${OUT:-$work}; mkdir -p "$out"
url="http://127.0.0.1:${PORT:-5401}"
csv="/tmp/hc-batches/cc-$rows.csv"
mkdir -p /tmp/hc-batches
[ -s "$csv" ] || "${bench[@]}" generate --rows "$rows" --out "$csv"

limits=()
if [ "$residents" -gt 0 ]; then limits=(HealthCode__Otp__PerAddress__Limit=1000000 HealthCode__Otp__Global__Limit=1000000); fi
(cd "$(dirname "$dll")" && exec env ASPNETCORE_ENVIRONMENT=Development \
  ConnectionStrings__HealthCode="Data Source=$work/data/hc.db" \
  HealthCode__Keys__Path="$root/keys-sample/410000" HealthCode__Admin__ApiKey="$admin" \
  HealthCode__Codes__TokenLifetime=00:30:00 Logging__LogLevel__Default=Warning "${limits[@]}" \
  dotnet "$dll" --urls "$url" --contentRoot "$root/src/HealthCode.Api" \
  --Logging:LogLevel:HealthCode.Api.Features.Sharing.BatchApplier=Information) >"$work/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf -o /dev/null "$url/healthz" && break; sleep 0.5; done

admin_post() { curl -sf "$url$1" -H "authorization: Bearer $admin" -H 'content-type: application/json' -d "$2"; }
"${cli[@]}" keys generate --department BENCH --out "$work/keys" >/dev/null
admin_post /api/v1/admin/departments "{\"code\":\"BENCH\",\"name\":\"基准测试部门\",\"key\":$(cat "$work/keys/BENCH.public.jwk")}" >/dev/null
admin_post /api/v1/admin/catalog '{"code":"410000-BENCH-001","name":"密切接触者名单","provider":"BENCH","summary":"基准测试用的密切接触者名单。",
  "kind":"close_contacts","items":[{"name":"idNumber","type":"string"},{"name":"name","type":"string"},{"name":"notifiedAt","type":"datetime"},
  {"name":"until","type":"date"},{"name":"caseRef","type":"string"}],"sharing":{"type":"conditional","conditions":"仅用于健康码赋码。","method":"batch"},
  "updateCycle":"P1D","legalBasis":"《中华人民共和国传染病防治法》第三十八条","purpose":"健康码赋码（红码）","retentionDays":28}' >/dev/null
token=$(admin_post /api/v1/admin/operators '{"name":"基准数据员","roles":["department:BENCH"]}' | jq -r .token)

if [ "$scans" = 1 ]; then
  staff=$(admin_post /api/v1/admin/staff '{"name":"王检查","checkpointId":"CP1"}' | jq -r .token)
  phone="13800000001"
  dev=$(curl -sf "$url/api/v1/auth/otp" -H 'content-type: application/json' -d "{\"phone\":\"$phone\"}" | jq -r .devCode)
  session=$(curl -sf "$url/api/v1/auth/login" -H 'content-type: application/json' -d "{\"phone\":\"$phone\",\"code\":\"$dev\"}" | jq -r .token)
  curl -sf "$url/api/v1/declarations" -H "authorization: Bearer $session" -H 'content-type: application/json' -d "{
    \"name\":\"张三艺\",\"idNumber\":\"11010519491231002X\",\"phone\":\"$phone\",\"region\":\"410100\",\"travel\":[],\"symptoms\":[],
    \"temperature\":36.6,\"contact\":{\"confirmedCase\":false,\"suspectedCase\":false,\"closeContactNotice\":false}}" >/dev/null
  qr=$(curl -sf "$url/api/v1/me/code/qr?format=text" -H "authorization: Bearer $session")
  printf '{"qr":"%s","checkpointId":"CP1"}' "$qr" >"$work/body.json"
  [ "$(curl -sf "$url/api/v1/verify" -H "authorization: Bearer $staff" -H 'content-type: application/json' --data-binary @"$work/body.json" | jq -r .valid)" = true ]
fi
scan() { # label -> one line: requests/s, p50, p99, errors, load
  echo "scans $1: $(BODY_FILE="$work/body.json" TOKEN="$staff" wrk -t1 -c"$connections" -d"${seconds}s" -s "$root/bench/wrk/verify.lua" "$url" \
    | grep '^RESULT' | sed 's/^RESULT //') load=$(cut -d' ' -f1 /proc/loadavg)"
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $rows rows ($(stat -c %s "$csv") bytes), service $dll"
  if [ "$residents" -gt 0 ]; then "${bench[@]}" residents --url "$url" --count "$residents" --concurrency 8; fi
  if [ "$scans" = 1 ]; then scan warmup >/dev/null; scan "before the batch"; fi

  batch="bench-$rows-$(date +%s)"
  "${bench[@]}" watch --url "$url" --token "$token" --source 410000-BENCH-001 --batch-id "$batch" --pid "$pid" >"$work/watch.txt" &
  watcher=$!
  sleep 0.3
  started=$(date +%s.%N)
  "${cli[@]}" batch upload --url "$url" --token "$token" --key "$work/keys/BENCH.private.jwk" --source 410000-BENCH-001 \
    --file "$csv" --batch-id "$batch" --wait 3600 >"$work/upload.txt" 2>&1 &
  uploader=$!
  if [ "$scans" = 1 ]; then
    for phase in $phases; do
      for _ in $(seq 6000); do # at most 10 minutes for the batch to reach the phase
        now=$(curl -sf "$url/api/v1/sources/410000-BENCH-001/batches/$batch" -H "authorization: Bearer $token" | jq -r '"\(.status)/\(.phase)"' || true)
        [[ "$now" == */"$phase" || "$now" == applied/* || "$now" == rejected/* ]] && break
        sleep 0.1
      done
      if [[ "$now" == */"$phase" ]]; then scan "during $phase"; else echo "scans during $phase: the batch was $now"; fi
    done
  fi
  wait "$uploader" || echo "upload exited $?"
  echo "CLI wall time, start of batch upload (hashing, signing, upload) to applied: $(echo "$(date +%s.%N) - $started" | bc) s"
  wait "$watcher" || true
  cat "$work/upload.txt" "$work/watch.txt"
  grep -h "applied:\|rejected:" "$work/service.log" | sed 's/^/service log: /' || true
  if [ "$scans" = 1 ]; then scan "after the batch"; fi
  if [ "$bulk" = 1 ]; then
    kill "$pid" # the service is done: the baseline runs alone (at most 10 s for it to stop)
    for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
    echo "baseline, load $(cut -d' ' -f1 /proc/loadavg): $("${bench[@]}" bulk --db "$work/bulk.db" --csv "$csv")"
    rm -f "$work/bulk.db" "$work/bulk.db-wal" "$work/bulk.db-shm"
  fi
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/run-$rows.txt"
