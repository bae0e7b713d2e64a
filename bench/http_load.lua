-- wrk script of bench/http_load.py: one request per dataset, rotating over uids.
--
--   wrk -t THREADS -s bench/http_load.lua URL -- <status|publish|automation> <datasets> <api key> <threads> [first]
--
-- Datasets have the uids da_000000, da_000001... (the scenario bench/http_load.py
-- writes). Each wrk thread takes every n-th uid from its own offset, so no two
-- requests of a run name the same dataset until the uids are used up (then the
-- rotation starts over). GET .../status or PUT .../publish of the Management API
-- v2, or GET .../status/ of the Automation API v1.0 (automation), with the API key.
-- The rotation starts at the uid numbered <first> (default 0).
--
-- The requests are written once, in init(), and request() only hands out the next
-- one: wrk shares the machine with the server, and formatting each request in Lua
-- would take CPU time from it. For the same reason there is no response() hook
-- (it makes wrk hand every answer to Lua): answers of 400 and above are counted
-- by wrk itself (summary.errors.status).
--
-- done() prints one JSON line that bench/http_load.py reads: requests, duration,
-- latency percentiles (microseconds), socket errors and error answers.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("offset", counter - 1)
  counter = counter + 1
  table.insert(threads, thread)
end

local prepared = {}
local count = 0
local next_one = 0

function init(args)
  local action = args[1] or "status"
  local datasets = tonumber(args[2] or "1000")
  local key = args[3] or "ods-sim-admin-key"
  local stride = tonumber(args[4] or "1")
  local first = tonumber(args[5] or "0")
  local headers = { ["Authorization"] = "Apikey " .. key }
  local prefix = "/api/management/v2/datasets/"
  if action == "automation" then
    headers = { ["Authorization"] = "apikey " .. key }
    prefix = "/api/automation/v1.0/datasets/"
  end
  for i = tonumber(wrk.thread:get("offset") or 0), datasets - 1, stride do
    local uid = string.format("da_%06d", (first + i) % datasets)
    if action == "publish" then
      prepared[count] = wrk.format("PUT", prefix .. uid .. "/publish", headers)
    elseif action == "automation" then
      prepared[count] = wrk.format("GET", prefix .. uid .. "/status/", headers)
    else
      prepared[count] = wrk.format("GET", prefix .. uid .. "/status", headers)
    end
    count = count + 1
  end
end

function request()
  local r = prepared[next_one]
  next_one = (next_one + 1) % count
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean
  ))
end
