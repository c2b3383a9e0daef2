-- wrk script: one resident refreshing the code screen, as the page does (docs/PERFORMANCE.md, "Resident page
-- refresh (issue 12)"). Each connection sends the requests of one refresh in turn, again and again.
--   PATHS  the paths of one refresh, comma-separated, e.g. "/api/v1/me/code/qr?format=text" or
--          "/api/v1/me/code,/api/v1/me/code/qr?format=svg" (the page before issue 12)
--   TOKEN  the resident's session token
-- Prints one RESULT line that bench/page-refresh/run.sh reads: rps is refreshes per second (requests per second
-- divided by the requests of one refresh), so targets of one and of two requests compare as the server's cost.
local paths = {}
for path in string.gmatch(assert(os.getenv("PATHS"), "PATHS is not set"), "[^,]+") do
  paths[#paths + 1] = path
end
local headers = { ["Authorization"] = "Bearer " .. assert(os.getenv("TOKEN"), "TOKEN is not set") }
local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d per_refresh=%d seconds=%.2f requests_per_s=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, #paths, seconds, summary.requests / seconds, summary.requests / seconds / #paths,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
