#!/usr/bin/env bash
# Declarations per second on SQLite with one instance, on PostgreSQL with one instance, and on PostgreSQL with three
# instances behind nginx, measured with wrk side by side in one run (docs/PERFORMANCE.md, "Several instances and
# PostgreSQL (issue 13)"). Everything is started here on 127.0.0.1 and stopped again by PID: one redis-server, one
# private PostgreSQL cluster (Debian's server binaries, as the postgres user), the Release service instances
# (Development, sample keys of 410000, Warning logging) and nginx. Each target has its own store (a SQLite file, or a
# database of its own in the one cluster) and its own Redis database; the three instances of pg-3 share theirs.
# RESIDENTS_PER_TARGET residents log in and declare once at each target; then, round after round and in turns, wrk
# sends their daily declarations again (bench/scale/declare.lua), one resident after another. With WORKLOAD=verify it
# scans instead: a staff member of each target POSTs the first resident's real code to /api/v1/verify
# (bench/wrk/verify.lua), which must not touch the store beyond the audit's append. With WORKLOAD=lookup staff look
# residents up by ID card and name (bench/scale/lookup.lua, POST /api/v1/lookup), round robin over STAFF_PER_TARGET
# staff members so that no one meets the per-staff limit (raised to its maximum, 1,000 a minute, here).
# A target ending in ":plain" (sqlite-1:plain, pg-1:plain) runs the build PLAIN_DLL instead, side by side with the
# same target of this build: the service before personal data was encrypted, for the cost of encryption.
#
#   bench/scale/run.sh [path/to/HealthCode.Api.dll]     (default: the Release build of this work tree)
#
# Settings (environment): WORKLOAD (declare, verify or lookup), PLAIN_DLL, STAFF_PER_TARGET (300), TARGETS ("sqlite-1 pg-1 pg-3"), ROUNDS (3), SECONDS_PER_RUN (10), CONNECTIONS (16),
# THREADS (1), WARMUP (5 s per target), RESIDENTS_PER_TARGET (200), OUT (a folder for the raw outputs; default a new
# /tmp folder). Prints one line per run (declarations per second as rps, latency, errors, and the instances' CPU time
# per declaration from /proc), then the medians and each round's ratios (bench/wrk/ratios.awk).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dll="${1:-$root/src/HealthCode.Api/bin/Release/net10.0/HealthCode.Api.dll}"
read -r -a targets <<<"${TARGETS:-sqlite-1 pg-1 pg-3}"
rounds=${ROUNDS:-3}; seconds=${SECONDS_PER_RUN:-10}; connections=${CONNECTIONS:-16}; threads=${THREADS:-1}; warmup=${WARMUP:-5}
per_target=${RESIDENTS_PER_TARGET:-200}
workload=${WORKLOAD:-declare}
case $workload in declare|verify|lookup) ;; *) echo "WORKLOAD is declare, verify or lookup" >&2; exit 2 ;; esac
staff_per_target=${STAFF_PER_TARGET:-300}
out="${OUT:-$(mktemp -d /tmp/hc-scale-XXXXXX)}"
mkdir -p "$out"
work="$(mktemp -d /tmp/hc-scale-data-XXXXXX)"
admin="bench-operator-key-0123456789"
pgbin=/usr/lib/postgresql/15/bin
[ -f "$dll" ] || { echo "no build at $dll: run dotnet build HealthCode.sln -c Release first" >&2; exit 1; }
for tool in wrk jq redis-server /usr/sbin/nginx "$pgbin/initdb"; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk jq redis-server nginx postgresql)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
started=()
pg_dir=""
stop_all() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$pg_dir" ]; then su postgres -c "$pgbin/pg_ctl -D '$pg_dir' -m fast stop" >/dev/null 2>&1 || true; fi
}
trap stop_all EXIT

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --databases 16 >"$work/redis.log" 2>&1 &
started+=($!)

needs_pg=0
for t in "${targets[@]}"; do case $t in pg-*) needs_pg=1 ;; esac; done
if [ $needs_pg = 1 ]; then
  pg_dir="$work/pg"; pg_port=$(free_port)
  mkdir -p "$pg_dir"; chown postgres:postgres "$pg_dir"; chmod 700 "$pg_dir"
  chmod o+x "$work"
  su postgres -c "$pgbin/initdb -D '$pg_dir' -A trust -U hc" >"$work/initdb.log" 2>&1
  su postgres -c "$pgbin/pg_ctl -D '$pg_dir' -l '$pg_dir/server.log' -o \"-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300\" -w start" >/dev/null
fi

# start_instance NAME PORT CONNECTION-STRING REDIS-DB [DLL]: a service process in the background; its PID in $!.
start_instance() {
  local name=$1 port=$2 connection=$3 redis_db=$4 build=${5:-$dll}
  mkdir -p "$work/$name"
  (cd "$(dirname "$build")" && ASPNETCORE_ENVIRONMENT=Development \
    ConnectionStrings__HealthCode="$connection" HealthCode__Store__DataPath="$work/$name/data-$port" ConnectionStrings__Redis="127.0.0.1:$redis_port,defaultDatabase=$redis_db" \
    HealthCode__Keys__Path="$root/keys-sample/410000" HealthCode__Admin__ApiKey="$admin" \
    HealthCode__Network__TrustedProxies__0=127.0.0.1 \
    HealthCode__Otp__PerAddress__Limit=1000000 HealthCode__Otp__Global__Limit=1000000 HealthCode__Staff__LookupsPerMinute=1000 \
    Logging__LogLevel__Default=Warning \
    exec dotnet "$build" --urls "http://127.0.0.1:$port" --contentRoot "$root/src/HealthCode.Api") >>"$work/$name/service-$port.log" 2>&1 &
}

wait_healthy() { # base log
  for _ in $(seq 120); do curl -sf -o /dev/null "$1/healthz" && return 0; sleep 0.5; done
  echo "no answer from $1/healthz:" >&2; cat "$2" >&2; exit 1
}

declare -A base pids
redis_db=0
for t in "${targets[@]}"; do
  redis_db=$((redis_db + 1))
  kind=${t%%:*}; engine=${kind%-*}; count=${kind#*-}; build=$dll
  if [ "$t" != "$kind" ]; then
    build=${PLAIN_DLL:?"PLAIN_DLL names the build for the target $t"}
    [ -f "$build" ] || { echo "no build at PLAIN_DLL=$build" >&2; exit 1; }
  fi
  if [ "$engine" = pg ]; then
    db="hc_${t//[-:]/_}"
    "$pgbin/psql" -h "$pg_dir" -p "$pg_port" -U hc -d postgres -qc "CREATE DATABASE $db" >/dev/null
    connection="Host=127.0.0.1;Port=$pg_port;Username=hc;Database=$db;Maximum Pool Size=90"
  else
    connection="Data Source=$work/$t/hc.db"
  fi
  ports=(); pids[$t]=""
  for i in $(seq "$count"); do
    port=$(free_port)
    start_instance "$t" "$port" "$connection" "$redis_db" "$build"
    started+=($!); pids[$t]="${pids[$t]} $!"; ports+=("$port")
    # One after the other: each runs the migrations at start.
    wait_healthy "http://127.0.0.1:$port" "$work/$t/service-$port.log"
  done
  if [ "$count" = 1 ]; then
    base[$t]="http://127.0.0.1:${ports[0]}"
  else
    front=$(free_port); mkdir -p "$work/$t/nginx"
    {
      echo "daemon off; master_process off; worker_processes 1; pid $work/$t/nginx/nginx.pid; error_log $work/$t/nginx/error.log warn;"
      echo "events { worker_connections 4096; }"
      echo "http { access_log off; client_body_temp_path $work/$t/nginx/body; proxy_temp_path $work/$t/nginx/proxy;"
      echo "  fastcgi_temp_path $work/$t/nginx/f; uwsgi_temp_path $work/$t/nginx/u; scgi_temp_path $work/$t/nginx/s;"
      echo "  upstream province {"; for p in "${ports[@]}"; do echo "    server 127.0.0.1:$p;"; done; echo "    keepalive 64; }"
      echo "  server { listen 127.0.0.1:$front; location / { proxy_pass http://province; proxy_http_version 1.1;"
      echo "    proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-For \$remote_addr; } } }"
    } >"$work/$t/nginx/nginx.conf"
    /usr/sbin/nginx -p "$work/$t/nginx" -c "$work/$t/nginx/nginx.conf" -e "$work/$t/nginx/error.log" &
    started+=($!)
    base[$t]="http://127.0.0.1:$front"
    wait_healthy "${base[$t]}" "$work/$t/nginx/error.log"
  fi
done

# Residents: each logs in (through the target's address) and declares once; "token phone idNumber" per line.
id_number() { # a valid GB 11643 number: region 110105, a birth date, a sequence, the MOD 11-2 check
  python3 -c '
import random, datetime, sys
d = datetime.date(1950, 1, 1) + datetime.timedelta(days=random.randrange(50 * 365))
body = "110105" + d.strftime("%Y%m%d") + "%03d" % random.randrange(1000)
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11])'
}
for t in "${targets[@]}"; do
  : >"$work/$t/residents.txt"
  for i in $(seq "$per_target"); do
    phone="13$(shuf -i 100000000-999999999 -n 1)"; id=$(id_number)
    dev=$(curl -sf "${base[$t]}/api/v1/auth/otp" -H 'content-type: application/json' -d "{\"phone\":\"$phone\"}" | jq -r .devCode)
    token=$(curl -sf "${base[$t]}/api/v1/auth/login" -H 'content-type: application/json' -d "{\"phone\":\"$phone\",\"code\":\"$dev\"}" | jq -r .token)
    curl -sf -o /dev/null "${base[$t]}/api/v1/declarations" -H "authorization: Bearer $token" -H 'content-type: application/json' -d "{
      \"name\":\"张三艺\",\"idNumber\":\"$id\",\"phone\":\"$phone\",\"region\":\"410100\",\"travel\":[],\"symptoms\":[],
      \"temperature\":36.6,\"contact\":{\"confirmedCase\":false,\"suspectedCase\":false,\"closeContactNotice\":false}}"
    echo "$token $phone $id" >>"$work/$t/residents.txt"
  done
done

# For scans: a staff member of each target, and the first resident's code as the body every scan sends.
declare -A staff
if [ "$workload" = verify ]; then
  for t in "${targets[@]}"; do
    staff[$t]=$(curl -sf "${base[$t]}/api/v1/admin/staff" -H "authorization: Bearer $admin" \
      -H 'content-type: application/json' -d '{"name":"王检查","checkpointId":"CP1"}' | jq -r .token)
    read -r session _ _ <"$work/$t/residents.txt"
    qr=$(curl -sf "${base[$t]}/api/v1/me/code/qr?format=text" -H "authorization: Bearer $session")
    printf '{"qr":"%s","checkpointId":"CP1"}' "$qr" >"$work/$t/verify.json"
  done
fi

# For lookups: STAFF_PER_TARGET staff members of each target, one token a line.
if [ "$workload" = lookup ]; then
  for t in "${targets[@]}"; do
    : >"$work/$t/staff.txt"
    for i in $(seq "$staff_per_target"); do
      curl -sf "${base[$t]}/api/v1/admin/staff" -H "authorization: Bearer $admin" \
        -H 'content-type: application/json' -d '{"name":"王检查","checkpointId":"CP1"}' | jq -r .token >>"$work/$t/staff.txt"
    done
  done
fi

cpu_of() { local sum=0 pid; for pid in $1; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $sum; }
run() { # target seconds -> the RESULT line with the instances' CPU time per request
  local t=$1 duration=$2 before after result requests
  before=$(cpu_of "${pids[$t]}")
  if [ "$workload" = verify ]; then
    result=$(BODY_FILE="$work/$t/verify.json" TOKEN="${staff[$t]}" wrk -t"$threads" -c"$connections" -d"${duration}s" \
      -s "$root/bench/wrk/verify.lua" "${base[$t]}" | tee -a "$out/wrk-raw.txt" | grep '^RESULT')
  elif [ "$workload" = lookup ]; then
    result=$(RESIDENTS="$work/$t/residents.txt" STAFF="$work/$t/staff.txt" wrk -t"$threads" -c"$connections" -d"${duration}s" \
      -s "$root/bench/scale/lookup.lua" "${base[$t]}" | tee -a "$out/wrk-raw.txt" | grep '^RESULT')
  else
    result=$(RESIDENTS="$work/$t/residents.txt" wrk -t"$threads" -c"$connections" -d"${duration}s" \
      -s "$root/bench/scale/declare.lua" "${base[$t]}" | tee -a "$out/wrk-raw.txt" | grep '^RESULT')
  fi
  after=$(cpu_of "${pids[$t]}")
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
  echo "$result cpu_us_per_request=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1) ))"
}

{
  echo "# $workload: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d${seconds}s; $per_target residents a target; service $dll"
  echo "# targets: ${targets[*]}; cpu_us_per_request is the instances' CPU time per request (not nginx's, not PostgreSQL's)"
} | tee "$out/runs.txt"
for t in "${targets[@]}"; do echo "## warm-up $t" >>"$out/wrk-raw.txt"; run "$t" "$warmup" >/dev/null; done
count=${#targets[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((count - 1))); do
    t=${targets[$(( (i + round - 1) % count ))]}
    echo "## round=$round target=$t" >>"$out/wrk-raw.txt"
    echo "round=$round target=$t $(run "$t" "$seconds" | sed 's/^RESULT //')"
  done
done | tee -a "$out/runs.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/runs.txt"
awk -v pairs="pg-1/sqlite-1 pg-3/pg-1 pg-3/sqlite-1 sqlite-1/sqlite-1:plain pg-1/pg-1:plain pg-3/pg-3:plain" -f "$root/bench/wrk/ratios.awk" "$out/runs.txt" | tee "$out/summary.txt"
echo "raw outputs in $out"
