package engine

import (
	"context"
	"log"
	"log/slog"
	"reflect"
	"strings"
	"sync"
)

// sessionLog gives cells a slog default logger of their own, writing to
// the cell's stderr the way Go's default logger writes to the process's
// ("2026/11/30 07:00:00 INFO message key=value"), so that slog.Info in a
// cell shows in the notebook. slog.SetDefault in a cell replaces it for
// the session only, not for the kernel process.
type sessionLog struct {
	mu     sync.Mutex
	logger *slog.Logger
}

func newSessionLog(s *Session) *sessionLog {
	out := log.New(s.stderr, "", log.LstdFlags)
	return &sessionLog{logger: slog.New(&lineHandler{out: out, level: slog.LevelInfo})}
}

func (l *sessionLog) get() *slog.Logger {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logger
}

// exports are the log/slog functions that use the default logger.
func (l *sessionLog) exports() map[string]reflect.Value {
	return map[string]reflect.Value{
		"Default": reflect.ValueOf(l.get),
		"SetDefault": reflect.ValueOf(func(lg *slog.Logger) {
			l.mu.Lock()
			l.logger = lg
			l.mu.Unlock()
		}),
		"Debug":        reflect.ValueOf(func(msg string, args ...any) { l.get().Debug(msg, args...) }),
		"Info":         reflect.ValueOf(func(msg string, args ...any) { l.get().Info(msg, args...) }),
		"Warn":         reflect.ValueOf(func(msg string, args ...any) { l.get().Warn(msg, args...) }),
		"Error":        reflect.ValueOf(func(msg string, args ...any) { l.get().Error(msg, args...) }),
		"DebugContext": reflect.ValueOf(func(ctx context.Context, msg string, args ...any) { l.get().DebugContext(ctx, msg, args...) }),
		"InfoContext":  reflect.ValueOf(func(ctx context.Context, msg string, args ...any) { l.get().InfoContext(ctx, msg, args...) }),
		"WarnContext":  reflect.ValueOf(func(ctx context.Context, msg string, args ...any) { l.get().WarnContext(ctx, msg, args...) }),
		"ErrorContext": reflect.ValueOf(func(ctx context.Context, msg string, args ...any) { l.get().ErrorContext(ctx, msg, args...) }),
		"Log": reflect.ValueOf(func(ctx context.Context, level slog.Level, msg string, args ...any) {
			l.get().Log(ctx, level, msg, args...)
		}),
		"LogAttrs": reflect.ValueOf(func(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
			l.get().LogAttrs(ctx, level, msg, attrs...)
		}),
		"With": reflect.ValueOf(func(args ...any) *slog.Logger { return l.get().With(args...) }),
	}
}

// lineHandler formats records as Go's default slog handler does: the
// level, the message, then key=value attributes, through a log.Logger.
type lineHandler struct {
	out    *log.Logger
	level  slog.Leveler
	prefix string // attributes and groups from With and WithGroup
	group  string
}

func (h *lineHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	return h.out.Output(2, b.String())
}

func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			writeAttr(b, g, ga)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(group + a.Key)
	b.WriteByte('=')
	b.WriteString(a.Value.String())
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	c := *h
	c.prefix += b.String()
	return &c
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.group += name + "."
	return &c
}
