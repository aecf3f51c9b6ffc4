-- GET of one fixed URL (the hot tag, or the bare Javalin constant), with a per-thread request cap.
--   wrk -t2 -c64 -d15s -s bench/get.lua http://127.0.0.1:PORT/tags/team%2Fapp:hot -- MAX_PER_THREAD
-- The request string is built once; request() only counts, so both sides of a comparison pay the
-- same small Lua cost.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local req

function init(args)
  set_request_cap(args[1])
  req = wrk.format()
end

function request()
  count_request()
  return req
end
