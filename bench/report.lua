-- Shared by every wrk script of bench/run.sh (loaded with dofile): done() prints one line
--   WRK_RESULT requests=N seconds=S rps=R ok_rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. status_errors=N socket_errors=N
-- that run.sh parses. ok_rps counts only responses with status < 400 (wrk's own rule).
--
-- bounded(): a per-thread request cap. A wrk run always ends at -d; with a cap a thread also stops
-- by itself after `max` requests, so every run is bounded in count and in time.
local bounded_max, bounded_n = math.huge, 0

function set_request_cap(max)
  bounded_max = tonumber(max) or math.huge
end

function count_request()
  bounded_n = bounded_n + 1
  if bounded_n >= bounded_max then
    wrk.thread:stop()
  end
  return bounded_n
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "WRK_RESULT requests=%d seconds=%.3f rps=%.1f ok_rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f status_errors=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds, (summary.requests - e.status) / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, socket))
end
