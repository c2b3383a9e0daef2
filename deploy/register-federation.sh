#!/bin/sh
# Registers the demo federation's agreements through the operator API: the three provinces as
# members at the hub, and Henan and Zhejiang as bilateral partners of each other. Used by
# federation-demo.sh (processes) and by compose.yaml's "register" service (containers); POSIX sh
# and curl only. Retries while a service is still starting.
#
#   register-federation.sh <operator key> <keys folder> <hub url> <henan url> <zhejiang url> <guangdong url>
#
# <keys folder> holds <code>/root.public.jwk of each province; the URLs are as the services see
# each other (http://127.0.0.1:7041 for processes, http://henan:8080 in compose).
set -eu
[ $# -eq 6 ] || { echo "usage: $0 <operator key> <keys folder> <hub url> <henan url> <zhejiang url> <guangdong url>" >&2; exit 2; }
admin=$1 keys=$2 hub=${3%/} henan=${4%/} zhejiang=${5%/} guangdong=${6%/}

post() {
  curl -sSf --retry 60 --retry-connrefused --retry-delay 1 --max-time 10 -o /dev/null \
    -H "authorization: Bearer $admin" -H 'content-type: application/json' "$1" -d "$2"
}
member() { # CODE NAME URL
  printf '{"iss":"%s","name":"%s","trustListUrl":"%s/.well-known/healthcode/trust-list","rootKey":%s}' \
    "$1" "$2" "$3" "$(cat "$keys/$1/root.public.jwk")"
}

post "$hub/api/v1/admin/hub/members" "$(member 410000 河南省 "$henan")"
post "$hub/api/v1/admin/hub/members" "$(member 330000 浙江省 "$zhejiang")"
post "$hub/api/v1/admin/hub/members" "$(member 440000 广东省 "$guangdong")"
# Henan and Zhejiang: a bilateral agreement with pinned roots, beside the hub.
post "$zhejiang/api/v1/admin/partners" "$(member 410000 河南省 "$henan")"
post "$henan/api/v1/admin/partners" "$(member 330000 浙江省 "$zhejiang")"
echo "registered: 3 hub members, Henan <-> Zhejiang bilateral"
