-- wrk script for POST /v1/login/check (docs/api.md, "Speed").
-- LEAKGUARD_KEY must hold a key from `leakguard keys add bench --scope login`.
-- Each request asks about one of 1,000 addresses and accounts in turn.
local key = os.getenv("LEAKGUARD_KEY")
local bodies = {}
for idx = 1, 1000 do
  bodies[idx] = string.format(
    '{"ip":"198.51.%d.%d","account":"member%d@example.tw","user_agent":"Mozilla/5.0"}',
    idx % 256, (idx * 7) % 256, idx)
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/login/check",
    { ["Content-Type"] = "application/json", ["X-Api-Key"] = key },
    bodies[(counter % 1000) + 1])
end
