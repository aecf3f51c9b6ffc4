-- Durable PUTs of unique tags team/app:<run><thread>-<n> with random sha256 digests: every
-- request is a new tag, so every one is an applied write (tag row + history row) in a group commit.
--   wrk -t2 -c64 -d15s -s bench/put.lua http://127.0.0.1:PORT -- RUN_LABEL MAX_PER_THREAD
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local prefix
local headers = { ["Content-Length"] = "0" }

function init(args)
  prefix = "/tags/team%2Fapp:" .. (args[1] or "m") .. (id or 0) .. "-"
  set_request_cap(args[2])
  math.randomseed(os.time() * 1000 + (id or 0))
end

local function digest()
  local r = math.random
  return string.format("%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x",
    r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535),
    r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535), r(0, 65535))
end

function request()
  local i = count_request()
  return wrk.format("PUT", prefix .. i .. "/digest/sha256:" .. digest(), headers)
end
