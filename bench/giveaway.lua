-- wrk script: POST /api/v1/giveaways/ID/claim, each request with the next
-- member's personal token from the file given as the first argument.  The
-- second and third arguments split the file between wrk processes (part,
-- parts); within a process each thread takes every Nth token of its part.
-- After the part is used up the tokens repeat (answers 409 or 410).
--
-- Every request is formatted once, in init, before wrk starts its clock,
-- and there is no response() hook: with one, wrk parses every answer's
-- headers into a Lua table: wrk took about 20 µs of CPU per request (perf,
-- PostgreSQL storm), where in the nginx run wrk and nginx together have
-- at most 17 (two cores at 120,000 a second), on the same two cores as
-- the server.  bench/giveaway.sh counts the answers by status from
-- serve's /metrics instead.

local threads = {}
local nthreads = 0

function setup(thread)
    thread:set("id", nthreads)
    nthreads = nthreads + 1
    table.insert(threads, thread)
    for _, t in ipairs(threads) do
        t:set("nthreads_total", nthreads)
    end
end

function init(args)
    local part, parts = tonumber(args[2]) or 0, tonumber(args[3]) or 1
    local step = nthreads_total or 1
    reqs = {}
    local k, mine = 0, 0
    for line in io.lines(args[1]) do
        if k % parts == part then
            if mine % step == id then
                table.insert(reqs, wrk.format("POST", nil,
                    {["Authorization"] = "Bearer " .. line,
                     ["Content-Type"] = "application/json"}, "{}"))
            end
            mine = mine + 1
        end
        k = k + 1
    end
    i = 0
end

function request()
    i = i % #reqs + 1
    return reqs[i]
end
