-- wrk script: POST /api/v1/events/ID/tallies, one tap per request, each
-- with its own tap_id, so every answer is a real tally committed to disk
-- (a retried tap would be answered without a write).
--
--   wrk ... -s bench/tally.lua URL -- RUN FIRST N
--
-- RUN numbers the run (bench/run.sh passes a different one to every run,
-- so runs on one database never repeat a tap id); the events are FIRST ..
-- FIRST+N-1: N = 1 is one busy stall, every tap on the same counters; with
-- N > 1 the taps go round the events, each thread from its own start, so
-- requests in flight at the same time hit different rows.  The URL's path
-- is not used.  The headers given on the command line (Authorization) are
-- sent with every request.

local threads = 0

function setup(thread)
    thread:set("tid", threads)
    threads = threads + 1
end

function init(args)
    run = tonumber(args[1]) or 0
    first = tonumber(args[2])
    count = tonumber(args[3]) or 1
    if not first or count < 1 then
        error("tally.lua: want the arguments RUN FIRST_EVENT_ID N_EVENTS")
    end
    n = 0
    -- wrk.format uses the given headers instead of wrk.headers: copy them.
    headers = {}
    for k, v in pairs(wrk.headers) do
        headers[k] = v
    end
    headers["Content-Type"] = "application/json"
    offset = (tid * 7919) % count
end

function request()
    n = n + 1
    local event = first + (offset + n) % count
    local body = string.format(
        '{"tap_id":"w%d-%d-%d","materials":{"入会宝典":1},"cards_issued":1}', run, tid, n)
    return wrk.format("POST", string.format("/api/v1/events/%d/tallies", event), headers, body)
end
