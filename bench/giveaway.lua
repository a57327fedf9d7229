-- wrk script: POST /api/v1/giveaways/ID/claim, each request with the next
-- member's personal token from the file given as the first argument.  The
-- second and third arguments split the file between wrk processes (part,
-- parts); within a process each thread takes every Nth token of its part.
-- After the part is used up the tokens repeat (answers 409 or 410).
-- done() prints the answers by status.

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
    tokens = {}
    local k = 0
    for line in io.lines(args[1]) do
        if k % parts == part then
            table.insert(tokens, line)
        end
        k = k + 1
    end
    i = id + 1
    step = nthreads_total or 1
    counts = {}
end

function request()
    local t = tokens[(i - 1) % #tokens + 1]
    i = i + step
    return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. t,
                                 ["Content-Type"] = "application/json"}, "{}")
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        local c = t:get("counts")
        for s, n in pairs(c) do
            total[s] = (total[s] or 0) + n
        end
    end
    for s, n in pairs(total) do
        io.write(string.format("status %d: %d\n", s, n))
    end
end
