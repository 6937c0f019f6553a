-- wrk script: POST /v1/matches, cycling through request bodies (one JSON document a line).
--   wrk -t2 -c64 -d30s --latency -s bench/load_matches.lua http://127.0.0.1:PORT/v1/matches -- BODIES_FILE
-- Counts statuses itself (wrk only counts non-2xx/3xx) and prints one "LOADTEST {json}" line at the end.

local threads = {}

function setup(thread)
  -- Each thread starts at its own place in the list, so concurrent requests differ.
  thread:set("offset", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1] or "var/bench/load-bodies.jsonl"
  bodies = {}
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  assert(#bodies > 0, "no request bodies in " .. path)
  counter = offset or 0
  ok, failed, first_failure = 0, 0, ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  counter = counter % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[counter])
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    failed = failed + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local ok_total, failed_total, failure = 0, 0, ""
  for _, thread in ipairs(threads) do
    ok_total = ok_total + (thread:get("ok") or 0)
    failed_total = failed_total + (thread:get("failed") or 0)
    if failure == "" then failure = thread:get("first_failure") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests":%d,"duration_us":%d,"bytes":%d,"status_200":%d,"status_other":%d,' ..
    '"first_failure":%s,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p99_9":%d}}\n',
    summary.requests, summary.duration, summary.bytes, ok_total, failed_total, json_string(failure),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max, latency:percentile(50), latency:percentile(75),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
