package fgsession

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// BenchmarkScrapeSessionLookup measures the session work of one scrape on the
// hot path, with a valid session in Redis: Ready plus four lookups. Scrapes
// are 15 s apart on a simulated clock, so every scrape reads Redis once, as in
// production, and the lookups after the first come from the local copy.
func BenchmarkScrapeSessionLookup(b *testing.B) {
	srv := testredis.Start(b)
	for _, bc := range []struct {
		name   string
		sealed bool
	}{
		{name: "plain"},
		{name: "sealed", sealed: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := redis.NewClient(srv.Options())
			counter := &commandCounter{}
			client.AddHook(counter)
			opts := RedisStoreOptions{KeyPrefix: "bench-" + bc.name + ":"}
			if bc.sealed {
				sealer, err := NewSealer(sealTestKey(1))
				if err != nil {
					b.Fatal(err)
				}
				opts.Sealer = sealer
			}
			store := NewRedisStore(client, opts)
			defer store.Close()

			m := NewManager(ManagerOptions{Store: store})
			clock := time.Now()
			m.now = func() time.Time { return clock }
			base, _ := url.Parse("https://127.0.0.1:1")
			target := &Target{Name: "fw", BaseURL: base, Username: "admin", TTL: 50 * 365 * 24 * time.Hour}
			m.AddTarget(target)

			ctx := context.Background()
			id := target.SessionID()
			rec := &Record{ID: "r1", Method: MethodAPI, SessionKey: "bench-key",
				CreatedAt: clock, ExpiresAt: clock.Add(target.TTL)}
			if _, err := store.TryLock(ctx, id, "t", time.Minute); err != nil {
				b.Fatal(err)
			}
			if _, err := store.Put(ctx, id, "t", rec, 48*time.Hour); err != nil {
				b.Fatal(err)
			}
			if err := store.Unlock(ctx, id, "t"); err != nil {
				b.Fatal(err)
			}

			counter.n.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				clock = clock.Add(15 * time.Second)
				for call := 0; call < 5; call++ {
					if _, err := m.Session(ctx, target); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(counter.n.Load())/float64(b.N), "roundtrips/scrape")
		})
	}
}
