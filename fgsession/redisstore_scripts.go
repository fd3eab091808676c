package fgsession

import "github.com/redis/go-redis/v9"

// Lua scripts of the Redis store. Each one touches only keys of one session id,
// which share a hash tag and so a Cluster slot. go-redis runs them with EVALSHA
// and falls back to EVAL when the server returns NOSCRIPT, as it does after a
// restart or a failover to a replica whose script cache is empty.
//
// The session key is a hash:
//
//	gen   generation, an integer that every Put and PutIfAbsent increments
//	rid   the record ID in plain text, so Delete can compare it without the key
//	data  the record as JSON, or sealed (see seal.go)
//
// Delete removes rid and data but keeps gen until the key expires, so a record
// stored after an invalidation continues the generation count instead of
// starting again at 1.

// putScript stores a record if the caller holds the login lock.
//
//	KEYS[1] session, KEYS[2] lock
//	ARGV[1] lock token, ARGV[2] record ID, ARGV[3] data, ARGV[4] TTL in milliseconds
//
// It returns the new generation, or -1 when the token does not hold the lock.
var putScript = redis.NewScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return -1
end
` + storeRecordLua)

// putIfAbsentScript stores a record if the session has none, without a lock.
//
//	KEYS[1] session
//	ARGV[1] unused, ARGV[2] record ID, ARGV[3] data, ARGV[4] TTL in milliseconds
//
// It returns the new generation, or 0 when a record exists.
var putIfAbsentScript = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HEXISTS', KEYS[1], 'data') == 1 then
  return 0
end
` + storeRecordLua)

// storeRecordLua is the common end of putScript and putIfAbsentScript. A value of
// another type under the session key, which Get treats as missing, is replaced.
// A gen field that is not a number counts as 0.
const storeRecordLua = `
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then
  redis.call('DEL', KEYS[1])
end
local gen = (tonumber(redis.call('HGET', KEYS[1], 'gen')) or 0) + 1
redis.call('HSET', KEYS[1], 'gen', gen, 'rid', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return gen
`

// deleteScript removes the record if its ID matches (compare-and-delete).
//
//	KEYS[1] session
//	ARGV[1] record ID
//
// It returns 1 when it removed the record, otherwise 0.
var deleteScript = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then
  return 0
end
if redis.call('HGET', KEYS[1], 'rid') ~= ARGV[1] then
  return 0
end
redis.call('HDEL', KEYS[1], 'rid', 'data')
return 1
`)

// tryLockScript takes the lock with SET NX PX. A lock that already holds the same
// token counts as taken and gets the new TTL. A lock key without a TTL was not
// written by an exporter, which always sets one, and would block logins
// forever, so it is taken over.
//
//	KEYS[1] lock
//	ARGV[1] token, ARGV[2] TTL in milliseconds
//
// It returns 1 when the token holds the lock afterwards, otherwise 0.
var tryLockScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`)

// refreshLockScript extends the lock if the token holds it (compare-and-pexpire).
//
//	KEYS[1] lock
//	ARGV[1] token, ARGV[2] TTL in milliseconds
//
// It returns 1 when it extended the lock, otherwise 0.
var refreshLockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// unlockScript deletes the lock if the token holds it (compare-and-delete).
//
//	KEYS[1] lock
//	ARGV[1] token
//
// It returns 1 when it deleted the lock, otherwise 0.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)
