-- wrk script for GET /range/{prefix} with Add-Padding (docs/api.md, "Speed").
-- STEP is the spacing of the filled prefixes that synth_corpus printed (64 by default).
local step = tonumber(os.getenv("STEP") or "64")
local counter = 0
request = function()
  counter = counter + 1
  local prefix = ((counter * 7919) % (1048576 / step)) * step
  return wrk.format("GET", string.format("/range/%05X", prefix), { ["Add-Padding"] = "true" })
end
