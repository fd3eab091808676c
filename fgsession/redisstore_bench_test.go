package fgsession

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// BenchmarkRedisStoreGet measures one session lookup against a local redis-server,
// unsealed and sealed, and reports the Redis round trips per lookup.
func BenchmarkRedisStoreGet(b *testing.B) {
	srv := testredis.Start(b)
	for _, bc := range []struct {
		name   string
		sealed bool
	}{
		{name: "plain"},
		{name: "sealed", sealed: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := RedisStoreOptions{KeyPrefix: bc.name + ":"}
			if bc.sealed {
				sealer, err := NewSealer(sealTestKey(1))
				if err != nil {
					b.Fatal(err)
				}
				opts.Sealer = sealer
			}
			client := redis.NewClient(srv.Options())
			counter := &commandCounter{}
			client.AddHook(counter)
			store := NewRedisStore(client, opts)
			defer store.Close()

			ctx := context.Background()
			if _, err := store.TryLock(ctx, "abc", "token", time.Minute); err != nil {
				b.Fatal(err)
			}
			if _, err := store.Put(ctx, "abc", "token", redisTestRecord("r1"), time.Hour); err != nil {
				b.Fatal(err)
			}

			counter.n.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				rec, err := store.Get(ctx, "abc")
				if err != nil || rec == nil {
					b.Fatalf("Get = %v, %v", rec, err)
				}
			}
			b.ReportMetric(float64(counter.n.Load())/float64(b.N), "roundtrips/op")
		})
	}
}
