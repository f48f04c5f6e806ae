-- lib/server-time.lua: helper included (by "-- @include") into the lease scripts; not a script of its own.
--
-- rfc3339_after(ms) -> the Redis server's TIME plus ms, as RFC 3339 UTC with milliseconds
--                      ("2026-11-26T06:11:00.123Z"), the LeaseTimeout format go-kcl reads. The value is informational
--                      only: expiry is decided by watching LeaseCounter, never by comparing these strings.
local function rfc3339_after(ms)
  local t = redis.call('TIME')
  local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ms
  local secs = math.floor(at / 1000)
  local millis = at - secs * 1000
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  -- days since 1970-01-01 -> civil date (proleptic Gregorian calendar)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local day = doy - math.floor((153 * mp + 2) / 5) + 1
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400
  if month <= 2 then
    year = year + 1
  end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', year, month, day, math.floor(rem / 3600),
    math.floor((rem % 3600) / 60), rem % 60, millis)
end
