package collector

import (
	"context"
	"log/slog"
)

// loggerKey is the context key of the logger that a collector's Update gets.
type loggerKey struct{}

// withLogger returns ctx carrying logger, which collectors get with loggerFrom.
func withLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// loggerFrom returns the logger of ctx, with the target and collector keys
// when a scrape set it, or a logger that discards everything.
func loggerFrom(ctx context.Context) *slog.Logger {
	if logger, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return logger
	}
	return slog.New(slog.DiscardHandler)
}
