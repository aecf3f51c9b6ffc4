-- GET of tags chosen uniformly at random among N seeded ones (<repo>:t0 .. <repo>:t<N-1>, as
-- bench/Seed.java writes them).
--   wrk -t2 -c64 -d15s -s bench/random.lua http://127.0.0.1:PORT -- N REPO_ESCAPED MAX_PER_THREAD
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local n, prefix

function init(args)
  n = tonumber(args[1]) or 100000
  prefix = "/tags/" .. (args[2] or "bench%2Fseed") .. ":t"
  set_request_cap(args[3])
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  count_request()
  return wrk.format("GET", prefix .. math.random(0, n - 1))
end
