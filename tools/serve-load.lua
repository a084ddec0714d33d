-- wrk script for tools/serve-load.sh: POST /v1/selections with circles of 1 to 3 km round 20
-- Dutch towns in turn, each connection pausing so that all together send about RATE requests a
-- second (wrk measures latency from send to answer; the pause is not counted).
local towns = {
  {4.8930, 52.3731}, {4.4777, 51.9244}, {4.3007, 52.0705}, {5.1214, 52.0908}, {5.4697, 51.4416},
  {6.5665, 53.2194}, {5.0913, 51.5555}, {6.0830, 52.5168}, {5.8372, 51.8126}, {4.6462, 52.3874},
  {5.6889, 50.8514}, {6.8937, 52.2215}, {4.7683, 52.6324}, {5.3037, 51.6978}, {4.6218, 51.8125},
  {5.9699, 52.2112}, {3.6109, 51.4988}, {5.7999, 53.2012}, {4.8500, 51.5866}, {6.1727, 51.3704},
}
local i = 0
local rate = tonumber(os.getenv("RATE") or "100")
local connections = tonumber(os.getenv("CONNECTIONS") or "4")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")

request = function()
  i = i + 1
  local t = towns[(i % #towns) + 1]
  local radius = 1000 + (i % 5) * 500
  local body = string.format('{"circle": {"lon": %.4f, "lat": %.4f, "radius_m": %d}, "incident_type": "burglary"}',
    t[1], t[2], radius)
  return wrk.format(nil, "/v1/selections", nil, body)
end

delay = function()
  return math.floor(connections * 1000 / rate)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.1f/s\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("latency max: %.2f ms\n", latency.max / 1000))
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
