"""The Lua scripts of the Redis store (app/sessions/redis.py): each one atomic step.

Redis runs a script whole, with no other command between its calls, so the bookkeeping
of several workers (the caps per client and in all, the compare-and-set) never races.
"""

# Load and touch, in one round trip: the revision, the cursor, and the record as last written
# in full unless the caller holds that one already (ARGV[4], its `base` revision); the idle
# clocks reset. KEYS: record, events, lru; ARGV: ttl ms, now, id, base held (-1: none).
LOAD = """
local found = redis.call('hmget', KEYS[1], 'revision', 'cursor', 'base', 'owner')
if not found[1] then return false end
redis.call('pexpire', KEYS[1], ARGV[1])
redis.call('pexpire', KEYS[2], ARGV[1])
redis.call('zadd', KEYS[3], 'XX', ARGV[2], ARGV[3])
if found[4] then redis.call('zadd', 'bptt:c:' .. found[4], 'XX', ARGV[2], ARGV[3]) end
if tonumber(found[3]) == tonumber(ARGV[4]) then return {found[1], found[2], found[3], false} end
return {found[1], found[2], found[3], redis.call('hget', KEYS[1], 'record')}
"""

# Compare and set, in one round trip: store the change and log and publish its event only
# if the stored revision is the one before it. A step within an epoch changes only the
# cursor, so the record itself is written (with base = its revision) only when it is given.
# KEYS: record, events; ARGV: revision, cursor, record or "", ttl ms, event id, event,
# max log length, channel, message.
SAVE = """
local stored = redis.call('hget', KEYS[1], 'revision')
if not stored or tonumber(stored) ~= tonumber(ARGV[1]) - 1 then return 0 end
redis.call('hset', KEYS[1], 'revision', ARGV[1], 'cursor', ARGV[2])
if ARGV[3] ~= '' then redis.call('hset', KEYS[1], 'record', ARGV[3], 'base', ARGV[1]) end
redis.call('pexpire', KEYS[1], ARGV[4])
redis.call('xadd', KEYS[2], 'MAXLEN', ARGV[7], ARGV[5], 'event', ARGV[6])
redis.call('pexpire', KEYS[2], ARGV[4])
redis.call('publish', ARGV[8], ARGV[9])
return 1
"""


# The client bookkeeping shared by CREATE and DELETE: forget a session, and a client's
# count of live sessions (its expired ones dropped first).
CLIENTS = """
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local function forget(who, id)
  redis.call('del', 'bptt:s:' .. id, 'bptt:e:' .. id)
  redis.call('zrem', 'bptt:lru', id)
  if who then redis.call('zrem', 'bptt:c:' .. who, id) end
end
local function count(who)
  local key = 'bptt:c:' .. who
  redis.call('zremrangebyscore', key, '-inf', now - ttl)
  local n = redis.call('zcard', key)
  if n == 0 then redis.call('zrem', 'bptt:clients', who)
  else redis.call('zadd', 'bptt:clients', n, who) end
  return n
end
local function evict_own(who)
  local oldest = redis.call('zrange', 'bptt:c:' .. who, 0, 0)[1]
  forget(who, oldest)
  count(who)
end
"""

# Create a session held by client ARGV[4]: past its cap its own least recently used goes;
# past the store's cap, that of the client holding the most (ARGV[4]'s own if it holds as
# many). KEYS: record; ARGV: ttl ms, now, ttl s, owner, max sessions, max per client,
# id, record, revision, cursor.
CREATE = (
    CLIENTS
    + """
local owner, most, per_client = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('zremrangebyscore', 'bptt:lru', '-inf', now - ttl)
while count(owner) >= per_client do evict_own(owner) end
local tries = 0
while redis.call('zcard', 'bptt:lru') >= most and tries < 1000 do
  tries = tries + 1
  local top = redis.call('zrevrange', 'bptt:clients', 0, 0, 'WITHSCORES')
  local mine = count(owner)
  if top[1] == nil then
    forget(nil, redis.call('zrange', 'bptt:lru', 0, 0)[1])  -- sessions of no known client
  elseif mine > 0 and mine >= tonumber(top[2]) then evict_own(owner)
  elseif count(top[1]) >= tonumber(top[2]) then evict_own(top[1])
  end  -- else its count was stale and is now right: look again
end
redis.call('hset', KEYS[1], 'record', ARGV[8], 'revision', ARGV[9], 'base', ARGV[9],
           'cursor', ARGV[10], 'owner', owner)
redis.call('pexpire', KEYS[1], ARGV[1])
redis.call('zadd', 'bptt:lru', now, ARGV[7])
redis.call('zadd', 'bptt:c:' .. owner, now, ARGV[7])
redis.call('pexpire', 'bptt:c:' .. owner, ARGV[1])
count(owner)
redis.call('pexpire', 'bptt:clients', ARGV[1])
return 1
"""
)

# Delete a session and publish its event. KEYS: record; ARGV: ttl ms, now, ttl s, id,
# channel, message. Answers 1 if it was there.
DELETE = (
    CLIENTS
    + """
local owner = redis.call('hget', KEYS[1], 'owner')
local found = redis.call('exists', KEYS[1])
forget(owner or nil, ARGV[4])
if owner then count(owner) end
redis.call('publish', ARGV[5], ARGV[6])
return found
"""
)
