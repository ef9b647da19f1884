package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestDefaultsLoad(t *testing.T) {
	c, err := LoadFrom(lookup(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "dannguyen", c.TaskQueue)
	require.Equal(t, 20, c.DBMaxOpenConns)
	require.Equal(t, 5*time.Second, c.UpdateTimeout)
	require.Equal(t, slog.LevelInfo, c.LogLevel)
	require.Equal(t, int64(1<<20), c.MaxBodyBytes)
}

func TestBadValuesNameTheirVariables(t *testing.T) {
	_, err := LoadFrom(lookup(map[string]string{
		"TEMPORAL_ADDRESS":  "no-port",
		"DB_MAX_OPEN_CONNS": "0",
		"UPDATE_TIMEOUT":    "soon",
		"DATABASE_URL":      "mysql://x/y",
		"LOG_FORMAT":        "xml",
	}))
	require.Error(t, err)
	for _, name := range []string{"TEMPORAL_ADDRESS", "DB_MAX_OPEN_CONNS", "UPDATE_TIMEOUT", "DATABASE_URL", "LOG_FORMAT"} {
		require.Contains(t, err.Error(), name)
	}
}

func TestRedactedMasksPasswords(t *testing.T) {
	c, err := LoadFrom(lookup(map[string]string{"DATABASE_URL": "postgres://app:s3cret@db:5432/x"}))
	require.NoError(t, err)
	r := c.Redacted()
	require.NotContains(t, r["DATABASE_URL"], "s3cret")
	require.True(t, strings.HasPrefix(r["DATABASE_URL"], "postgres://app:"))
	require.Len(t, r, len(Vars))
}
