-- wrk script: checkpoint staff looking residents up by ID card (POST /api/v1/lookup), one resident after another,
-- the staff members in turn (docs/PERFORMANCE.md, "Personal data encrypted at rest (issue 13)").
--   RESIDENTS  a file of lines "token phone idNumber" (bench/scale/run.sh makes it; every resident declared as 张三艺)
--   STAFF      a file of staff bearer tokens, one a line: enough that none meets the per-staff limit
-- Each lookup finds its person through the ID number's blind index and compares the name. Prints one RESULT line
-- that bench/wrk/ratios.awk reads.
local function lines(variable)
  local values = {}
  local path = assert(os.getenv(variable), variable .. " is not set")
  for line in io.lines(path) do
    if line ~= "" then values[#values + 1] = line end
  end
  assert(#values > 0, "no lines in " .. variable)
  return values
end

local ids = {}
for _, line in ipairs(lines("RESIDENTS")) do
  ids[#ids + 1] = assert(line:match("^%S+ %S+ (%S+)$"), "a RESIDENTS line is 'token phone idNumber'")
end
local staff = lines("STAFF")
local next_id, next_staff = 0, 0

function request()
  next_id = next_id % #ids + 1
  next_staff = next_staff % #staff + 1
  local body = string.format('{"idNumber":"%s","name":"张三艺","checkpointId":"CP1"}', ids[next_id])
  return wrk.format("POST", "/api/v1/lookup",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. staff[next_staff] }, body)
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
