-- wrk script: POST /api/v1/verify with one real signed code and a staff token, as a scanner does
-- (docs/PERFORMANCE.md, "HTTP verify: waiting for the audit commit (issue 9)").
--   BODY_FILE  a file with the JSON body {"qr":"HC1:/...","checkpointId":"..."} (the code must verify: valid=true)
--   TOKEN      the staff bearer token (a bare endpoint ignores it)
-- Prints one RESULT line that bench/wrk/issue9.sh reads.
local file = assert(io.open(assert(os.getenv("BODY_FILE"), "BODY_FILE is not set"), "r"))
wrk.method = "POST"
wrk.path = "/api/v1/verify"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "none")

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
