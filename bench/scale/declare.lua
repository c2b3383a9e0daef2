-- wrk script: residents declaring (POST /api/v1/declarations), one resident after another (docs/PERFORMANCE.md,
-- "Several instances and PostgreSQL (issue 13)").
--   RESIDENTS  a file of lines "token phone idNumber", one per resident who logged in (bench/scale/run.sh makes it)
-- Each request is the next resident's daily declaration: healthy, in Zhengzhou, no travel (green). Prints one RESULT
-- line that bench/wrk/ratios.awk reads.
local residents = {}
local path = assert(os.getenv("RESIDENTS"), "RESIDENTS is not set")
for line in io.lines(path) do
  local token, phone, id = line:match("^(%S+) (%S+) (%S+)$")
  if token then
    residents[#residents + 1] = { token = token, phone = phone, id = id }
  end
end
assert(#residents > 0, "no residents in RESIDENTS")
local next_resident = 0

function request()
  next_resident = next_resident % #residents + 1
  local r = residents[next_resident]
  local body = string.format(
    '{"name":"张三艺","idNumber":"%s","phone":"%s","region":"410100","travel":[],"symptoms":[],"temperature":36.6,' ..
    '"contact":{"confirmedCase":false,"suspectedCase":false,"closeContactNotice":false}}', r.id, r.phone)
  return wrk.format("POST", "/api/v1/declarations",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. r.token }, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
