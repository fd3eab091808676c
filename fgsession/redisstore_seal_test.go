package fgsession

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

func sealTestKey(fill byte) []byte { return bytes.Repeat([]byte{fill}, SealKeySize) }

func sealTestSealer(t *testing.T, key []byte, previous ...[]byte) *Sealer {
	t.Helper()
	sealer, err := NewSealer(key, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return sealer
}

// rawSessionBytes returns every field name and value of the session hash of id.
func rawSessionBytes(t *testing.T, srv *testredis.Server, store *RedisStore, id string) string {
	t.Helper()
	fields, err := srv.Client().HGetAll(redisTestContext(t), store.Key(id, kindSession)).Result()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for name, value := range fields {
		b.WriteString(name + "=" + value + "\n")
	}
	return b.String()
}

func TestRedisStoreSealRoundTrip(t *testing.T) {
	srv := testredis.Start(t)
	sealed := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	plain := newRedisTestStore(t, srv, RedisStoreOptions{KeyPrefix: "plain:"})
	ctx := redisTestContext(t)

	want := redisTestRecord("r1")
	putLocked(t, sealed, "abc", "token-a", want)
	got, err := sealed.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, want, 1)

	raw := rawSessionBytes(t, srv, sealed, "abc")
	for _, secret := range []string{redisTestSessionKey, redisTestCookie, redisTestCSRF} {
		if strings.Contains(raw, secret) {
			t.Errorf("sealed record shows %q in Redis", secret)
		}
	}
	if !strings.Contains(raw, "data="+sealMagic) {
		t.Errorf("data field does not start with %q", sealMagic)
	}
	if !strings.Contains(raw, "rid=r1") || !strings.Contains(raw, "gen=1") {
		t.Errorf("rid and gen must stay readable beside the sealed data")
	}

	// The same check on an unsealed record proves it can fail.
	putLocked(t, plain, "abc", "token-a", redisTestRecord("r1"))
	raw = rawSessionBytes(t, srv, plain, "abc")
	for _, secret := range []string{redisTestSessionKey, redisTestCookie, redisTestCSRF} {
		if !strings.Contains(raw, secret) {
			t.Errorf("unsealed record does not show %q, so the sealed check proves nothing", secret)
		}
	}

	// Delete compares the record ID without the key.
	deleted, err := sealed.Delete(ctx, "abc", "r1")
	if err != nil || !deleted {
		t.Errorf("Delete of a sealed record = %v, %v, expected true, nil", deleted, err)
	}
}

func TestRedisStoreSealWrongKey(t *testing.T) {
	srv := testredis.Start(t)
	writer := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	reader := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(2))})
	ctx := redisTestContext(t)
	putLocked(t, writer, "abc", "token-a", redisTestRecord("r1"))

	rec, err := reader.Get(ctx, "abc")
	if rec != nil || err != nil {
		t.Errorf("Get with another key = %v, %v, expected nil, nil", rec, err)
	}
	if n := unreadableCount(reader, recordSession, reasonUnknownKey); n != 1 {
		t.Errorf("unreadable unknown_key = %v, expected 1", n)
	}

	// A store holding the old key as previous key opens it, and seals with the new one.
	rotated := newRedisTestStore(t, srv, RedisStoreOptions{
		Sealer: sealTestSealer(t, sealTestKey(2), sealTestKey(1)),
	})
	want := redisTestRecord("r1")
	rec, err = rotated.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, rec, want, 1)
	putLocked(t, rotated, "abc", "token-a", redisTestRecord("r2"))
	if rec, _ := reader.Get(ctx, "abc"); rec == nil {
		t.Error("a record sealed after rotation does not open with the new key alone")
	}
}

func TestRedisStoreSealCorruptRecord(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	ctx := redisTestContext(t)
	raw := srv.Client()
	putLocked(t, store, "abc", "token-a", redisTestRecord("r1"))
	sessionKey := store.Key("abc", kindSession)
	data, err := raw.HGet(ctx, sessionKey, "data").Bytes()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		id     string
		fields []any
	}{
		{name: "flipped byte", id: "abc", fields: []any{"data", flipLastByte(data)}},
		{name: "truncated", id: "t1", fields: []any{"gen", "1", "rid", "r1", "data", data[:sealHeaderLen+3]}},
		// The same sealed bytes under another session id: the Redis key is bound in.
		{name: "copied to other id", id: "t2", fields: []any{"gen", "1", "rid", "r1", "data", data}},
		// The record ID is bound in too, so a swapped rid does not open.
		{name: "other record id", id: "t3", fields: []any{"gen", "1", "rid", "r9", "data", data}},
	}
	for i, tc := range cases {
		if err := raw.HSet(ctx, store.Key(tc.id, kindSession), tc.fields...).Err(); err != nil {
			t.Fatal(err)
		}
		rec, err := store.Get(ctx, tc.id)
		if rec != nil || err != nil {
			t.Errorf("%s: Get = %v, %v, expected nil, nil", tc.name, rec, err)
		}
		if n := unreadableCount(store, recordSession, reasonOpenFailed); n != float64(i+1) {
			t.Errorf("%s: unreadable open_failed = %v, expected %d", tc.name, n, i+1)
		}
	}
}

func flipLastByte(b []byte) []byte {
	out := bytes.Clone(b)
	out[len(out)-1] ^= 0x01
	return out
}

func TestRedisStoreSealMismatchedMode(t *testing.T) {
	srv := testredis.Start(t)
	sealed := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	plain := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)

	putLocked(t, plain, "unsealed", "token-a", redisTestRecord("r1"))
	if rec, err := sealed.Get(ctx, "unsealed"); rec != nil || err != nil {
		t.Errorf("sealed store Get of an unsealed record = %v, %v, expected nil, nil", rec, err)
	}
	if n := unreadableCount(sealed, recordSession, reasonNotSealed); n != 1 {
		t.Errorf("unreadable not_sealed = %v, expected 1", n)
	}

	putLocked(t, sealed, "sealed", "token-a", redisTestRecord("r1"))
	if rec, err := plain.Get(ctx, "sealed"); rec != nil || err != nil {
		t.Errorf("unsealed store Get of a sealed record = %v, %v, expected nil, nil", rec, err)
	}
	if n := unreadableCount(plain, recordSession, reasonNoKey); n != 1 {
		t.Errorf("unreadable no_key = %v, expected 1", n)
	}
}

func TestRedisStoreSealBackoffPlain(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	ctx := redisTestContext(t)

	b := Backoff{Failures: 3, Reason: "locked_out", Until: time.Now().Add(time.Minute)}
	if err := store.SetBackoff(ctx, "abc", b); err != nil {
		t.Fatal(err)
	}
	got, err := store.GetBackoff(ctx, "abc")
	if err != nil || got == nil || got.Reason != "locked_out" {
		t.Errorf("GetBackoff with sealing on = %v, %v, expected the stored record", got, err)
	}
}
