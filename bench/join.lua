-- wrk script: POST /api/v1/join/TOKEN with a distinct valid resident ID
-- number on every request (GB 11643 check character computed here), so
-- every answer is a real, durable application.  The path comes from the
-- command line URL; each wrk thread numbers its own range of people.
--
--   wrk ... -s bench/join.lua URL -- RUN SECONDS
--
-- The requests of SECONDS at up to 25,000 a second per thread are made in
-- init, before wrk starts its clock (beyond them each is made when sent):
-- made one by one as they were sent, wrk took about 19 µs of CPU per join
-- (perf), more than the server's whole HTTP work, on the same two cores.

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"
local threads = 0

function setup(thread)
    thread:set("base", threads * 20000000)
    threads = threads + 1
end

local function id_number(i)
    -- Born 1960..1999 on a valid day, sequence 000..999: distinct for i.
    local seq = i % 1000
    local day = math.floor(i / 1000)
    local year = 1960 + (day % 40)
    local doy = math.floor(day / 40) % 28 + 1
    local month = math.floor(day / 1120) % 12 + 1
    local region = 110101 + math.floor(i / 13440000) % 19
    local body = string.format("%06d%04d%02d%02d%03d", region, year, month, doy, seq)
    local sum = 0
    for k = 1, 17 do
        sum = sum + tonumber(body:sub(k, k)) * weights[k]
    end
    local c = sum % 11 + 1
    return body .. checks:sub(c, c)
end

local function make(i)
    local body = string.format('{"name":"压测%d","id_number":"%s","phone":"139%08d",'
        .. '"category":"courier","migrant":false,"consent_version":"1"}',
        i, id_number(i), i % 100000000)
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function init(args)
    -- bench/run.sh passes a different offset to every run, so runs on one
    -- database never repeat a person.
    n = base + (tonumber(args[1]) or 0) * 100000000
    made = {}
    for k = 1, math.min((tonumber(args[2]) or 10) * 25000, 10000000) do
        made[k] = make(n + k)
    end
    sent = 0
end

function request()
    sent = sent + 1
    return made[sent] or make(n + sent)
end
