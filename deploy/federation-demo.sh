#!/usr/bin/env bash
# The federation demo: redis-server, a national hub and three provinces (Henan 410000, Zhejiang
# 330000, Guangdong 440000) as processes on 127.0.0.1. Henan and Zhejiang also recognise each
# other bilaterally; every province recognises every hub member. Prints the URLs; Ctrl+C stops all.
#
#   deploy/federation-demo.sh            # ports 7000 (hub), 7041, 7033, 7044, Redis 7379
#   HEALTHCODE_DEMO_PORT=8000 deploy/federation-demo.sh
#
# It works on copies of keys-sample/ in a scratch folder, so rotating keys never touches the repo.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${HEALTHCODE_DEMO_PORT:-7000}"
work="${HEALTHCODE_DEMO_DIR:-$(mktemp -d -t healthcode-demo.XXXXXX)}"
admin="demo-operator-key-$(date +%s)"
redis_port=$((base + 379))
pids=()

stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server"; exit 1; }
echo "Building (Release)..."
dotnet build "$root/src/HealthCode.Api" -c Release -nologo -v quiet >/dev/null
api="$root/src/HealthCode.Api/bin/Release/net10.0/HealthCode.Api.dll"

mkdir -p "$work/keys"
cp -r "$root/keys-sample/410000" "$root/keys-sample/330000" "$root/keys-sample/440000" "$root/keys-sample/hub" "$work/keys/"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)

# start NAME PORT [VAR=VALUE...]: one service process with its own data folder.
start() {
  local name=$1 port=$2; shift 2
  mkdir -p "$work/$name"
  env ASPNETCORE_ENVIRONMENT=Development \
      HealthCode__Admin__ApiKey="$admin" \
      ConnectionStrings__HealthCode="Data Source=$work/$name/healthcode.db" \
      "$@" \
      dotnet "$api" --urls "http://127.0.0.1:$port" --contentRoot "$root/src/HealthCode.Api" >"$work/$name/service.log" 2>&1 &
  pids+=($!)
}

province() { # NAME CODE PROVINCE-NAME PORT
  start "$1" "$4" HealthCode__Province__Code="$2" HealthCode__Province__Name="$3" \
    HealthCode__Keys__Path="$work/keys/$2" ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    HealthCode__Hub__Url="http://127.0.0.1:$base/" HealthCode__Hub__AnchorKey="$work/keys/hub/anchor.public.jwk" \
    HealthCode__Federation__RefreshInterval=00:00:10
}

start hub "$base" HealthCode__Hub__Enabled=true HealthCode__Province__Code=000000 HealthCode__Province__Name=国家枢纽 \
  HealthCode__Keys__Path="$work/keys/hub"
province henan 410000 河南省 $((base + 41))
province zhejiang 330000 浙江省 $((base + 33))
province guangdong 440000 广东省 $((base + 44))

for port in "$base" $((base + 41)) $((base + 33)) $((base + 44)); do
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "service on $port did not start; logs in $work"; exit 1; }
done

"$root/deploy/register-federation.sh" "$admin" "$work/keys" "http://127.0.0.1:$base" \
  "http://127.0.0.1:$((base + 41))" "http://127.0.0.1:$((base + 33))" "http://127.0.0.1:$((base + 44))"

cat <<EOT

HealthCode federation demo is running (logs and data in $work):
  hub        http://127.0.0.1:$base/.well-known/healthcode/federation
  Henan      http://127.0.0.1:$((base + 41))/        scanner: http://127.0.0.1:$((base + 41))/scan.html
  Zhejiang   http://127.0.0.1:$((base + 33))/        scanner: http://127.0.0.1:$((base + 33))/scan.html
  Guangdong  http://127.0.0.1:$((base + 44))/        scanner: http://127.0.0.1:$((base + 44))/scan.html
  Redis      127.0.0.1:$redis_port
  operator key (all of them): $admin

A Henan code verifies at a Zhejiang checkpoint (bilateral) and at a Guangdong one (through the hub).
Ctrl+C stops everything.
EOT
wait
