// Package config reads the service configuration from environment variables.
//
// Every variable has a documented default so `make run` works on a fresh machine; a value
// that does not parse stops the process at start with a message naming the variable, because
// a typo found at 3 a.m. by a missed deadline is far worse than one found at boot.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dannguyen/dannguyen/internal/crypt"
)

// Config is the whole runtime configuration. Each field maps to one variable in Vars.
type Config struct {
	DatabaseURL       string
	DBMaxOpenConns    int
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	HTTPAddr          string
	WorkerMetricsAddr string
	WorkerCacheSize   int
	LogLevel          slog.Level
	LogFormat         string
	MaxBodyBytes      int64
	UpdateTimeout     time.Duration
	ShutdownTimeout   time.Duration
	TemporalUIURL     string
	LadderWarningWD   int
	LadderHeadWD      int
	LadderSuperiorWD  int
	WebhookURL        string
	PseudonymKey      string
	AuthMode          string
	JWTSecret         string
	JWTIssuer         string
	JWTAudience       string
	OIDCIssuer        string
	OIDCAudience      string
	OIDCJWKSURL       string
	VaultKeys         string
	PayloadKeys       string
	CodecCORSOrigins  string

	raw map[string]string // effective values by variable name, for Redacted
}

// Var documents one environment variable; the README table is generated from this list.
type Var struct {
	Name    string
	Default string
	Doc     string
	Secret  bool // masked in logs and `dannguyen config`
	set     func(c *Config, v string) error
}

// Vars lists every variable the service reads, in the order the README shows them.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dannguyen?sslmode=disable", "PostgreSQL connection URL (read model, audit, outbox, calendar).", false,
		func(c *Config, v string) error { return parseURL(&c.DatabaseURL, v, "postgres", "postgresql") }},
	{"DB_MAX_OPEN_CONNS", "20", "Upper bound of the PostgreSQL pool per process (0 would mean unlimited, so it is refused).", false,
		func(c *Config, v string) error { return parsePositive(&c.DBMaxOpenConns, v) }},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port.", false,
		func(c *Config, v string) error { return parseHostPort(&c.TemporalAddress, v) }},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace.", false,
		func(c *Config, v string) error { return nonEmpty(&c.TemporalNamespace, v) }},
	{"TASK_QUEUE", "dannguyen", "Temporal task queue the worker polls and the API starts workflows on.", false,
		func(c *Config, v string) error { return nonEmpty(&c.TaskQueue, v) }},
	{"HTTP_ADDR", ":8080", "Listen address of the API.", false,
		func(c *Config, v string) error { return parseHostPort(&c.HTTPAddr, v) }},
	{"WORKER_METRICS_ADDR", ":9091", "Listen address of the worker's /metrics and /healthz (empty disables it).", false,
		func(c *Config, v string) error {
			if v == "" {
				c.WorkerMetricsAddr = ""
				return nil
			}
			return parseHostPort(&c.WorkerMetricsAddr, v)
		}},
	{"WORKER_CACHE_SIZE", "1000", "Workflows the worker keeps in memory between tasks; the rest replay from history when they wake. Bounds the worker's memory however many cases are open.", false,
		func(c *Config, v string) error { return parsePositive(&c.WorkerCacheSize, v) }},
	{"LOG_LEVEL", "info", "debug, info, warn or error.", false,
		func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"LOG_FORMAT", "json", "json (structured, for machines) or text (for a terminal).", false,
		func(c *Config, v string) error { return oneOf(&c.LogFormat, v, "json", "text") }},
	{"MAX_BODY_BYTES", "1048576", "Largest request body the API accepts; larger bodies get 413.", false,
		func(c *Config, v string) error { return parseBytes(&c.MaxBodyBytes, v) }},
	{"UPDATE_TIMEOUT", "5s", "How long the API waits for a workflow Update before answering 202 with a status URL.", false,
		func(c *Config, v string) error { return parseDuration(&c.UpdateTimeout, v) }},
	{"SHUTDOWN_TIMEOUT", "20s", "Grace period for in-flight requests and activities on SIGTERM.", false,
		func(c *Config, v string) error { return parseDuration(&c.ShutdownTimeout, v) }},
	{"TEMPORAL_UI_URL", "http://localhost:8233", "Base URL of the Temporal Web UI, used in links shown to operators.", false,
		func(c *Config, v string) error { return parseURL(&c.TemporalUIURL, v, "http", "https") }},
	{"LADDER_WARNING_WD", "2", "Working days before a due date when the warning fires; also what \"at risk\" means in the overdue report.", false,
		func(c *Config, v string) error { return parseNonNegative(&c.LadderWarningWD, v) }},
	{"LADDER_HEAD_WD", "5", "Working days after a missed due date when the case escalates to the head of the office.", false,
		func(c *Config, v string) error { return parsePositive(&c.LadderHeadWD, v) }},
	{"LADDER_SUPERIOR_WD", "10", "Working days after a missed due date when the case escalates to the superior body.", false,
		func(c *Config, v string) error { return parsePositive(&c.LadderSuperiorWD, v) }},
	{"WEBHOOK_URL", "", "Where the worker POSTs notifications (warnings, overdue, escalations, citizen notices); empty logs them instead.", false,
		func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			return parseURL(&c.WebhookURL, v, "http", "https")
		}},
	{"PSEUDONYM_KEY", "dev-only-pseudonym-key-change-me", "Secret for the keyed hashes that match senders (duplicate hints) without storing ID numbers in clear.", true,
		func(c *Config, v string) error {
			if len(v) < 16 {
				return errors.New("want at least 16 characters")
			}
			c.PseudonymKey = v
			return nil
		}},
	{"AUTH_MODE", "hs256", "hs256 (shared secret, development) or oidc (issuer and audience checked against the provider's keys).", false,
		func(c *Config, v string) error { return oneOf(&c.AuthMode, v, "hs256", "oidc") }},
	{"JWT_SECRET", "dev-only-jwt-secret-change-me-please", "HS256 signing secret (AUTH_MODE=hs256); `dannguyen token` signs with it.", true,
		func(c *Config, v string) error { return minLen(&c.JWTSecret, v, 16) }},
	{"JWT_ISSUER", "dannguyen-dev", "Expected `iss` of HS256 tokens.", false,
		func(c *Config, v string) error { c.JWTIssuer = v; return nil }},
	{"JWT_AUDIENCE", "dannguyen", "Expected `aud` of HS256 tokens.", false,
		func(c *Config, v string) error { c.JWTAudience = v; return nil }},
	{"OIDC_ISSUER", "", "OIDC issuer URL (AUTH_MODE=oidc).", false,
		func(c *Config, v string) error { return optionalURL(&c.OIDCIssuer, v) }},
	{"OIDC_AUDIENCE", "", "Expected audience (client id) of OIDC tokens.", false,
		func(c *Config, v string) error { c.OIDCAudience = v; return nil }},
	{"OIDC_JWKS_URL", "", "JWKS URL; empty uses OIDC discovery at the issuer.", false,
		func(c *Config, v string) error { return optionalURL(&c.OIDCJWKSURL, v) }},
	{"VAULT_KEYS", "dev1:I6OcfmEMOV7itjbBhHftv/1WE00bF83kh3e/Oi2ynJ4=", "AES-256-GCM keys of the identity vault, \"id:base64\" comma-separated, newest first (rotation keeps old ones readable).", true,
		func(c *Config, v string) error { return keyring(&c.VaultKeys, v) }},
	{"PAYLOAD_KEYS", "dev1:smODqkN3x9MGvPyWCg6HpCd/2QzN+DY2x0EC1zkM+8w=", "AES-256-GCM keys of the Temporal payload codec, same format; the worker, the API and the codec endpoint must share them.", true,
		func(c *Config, v string) error { return keyring(&c.PayloadKeys, v) }},
	{"CODEC_CORS_ORIGINS", "http://localhost:8233", "Origins allowed to call /codec (the Temporal Web UI), comma-separated.", false,
		func(c *Config, v string) error { c.CodecCORSOrigins = v; return nil }},
}

// Load reads every variable from the process environment.
func Load() (Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom reads the variables through lookup, so tests need not touch the real environment.
// All bad variables are reported at once.
func LoadFrom(lookup func(string) (string, bool)) (Config, error) {
	c := Config{raw: map[string]string{}}
	var errs []error
	for _, v := range Vars {
		val, ok := lookup(v.Name)
		if !ok {
			val = v.Default
		}
		val = strings.TrimSpace(val)
		c.raw[v.Name] = val
		if err := v.set(&c, val); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", v.Name, val, err))
		}
	}
	if len(errs) == 0 {
		if err := c.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}

// Redacted returns the effective configuration for the start-up log line, secrets masked.
func (c Config) Redacted() map[string]string {
	out := make(map[string]string, len(c.raw))
	for _, v := range Vars {
		switch val := c.raw[v.Name]; {
		case v.Secret && val != "":
			out[v.Name] = "xxxxx"
		case strings.Contains(val, "://"):
			out[v.Name] = redactURL(val)
		default:
			out[v.Name] = val
		}
	}
	return out
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func parseURL(dst *string, v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("scheme must be one of %s", strings.Join(schemes, ", "))
}

func parseHostPort(dst *string, v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	*dst = v
	return nil
}

func parsePositive(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return errors.New("want a whole number above 0")
	}
	*dst = n
	return nil
}

func minLen(dst *string, v string, n int) error {
	if len(v) < n {
		return fmt.Errorf("want at least %d characters", n)
	}
	*dst = v
	return nil
}

func optionalURL(dst *string, v string) error {
	if v == "" {
		return nil
	}
	return parseURL(dst, v, "http", "https")
}

func keyring(dst *string, v string) error {
	if _, err := crypt.ParseKeyring(v); err != nil {
		return err
	}
	*dst = v
	return nil
}

// Validate checks rules that span variables.
func (c Config) validate() error {
	if c.AuthMode == "oidc" && (c.OIDCIssuer == "" || c.OIDCAudience == "") {
		return errors.New("AUTH_MODE=oidc needs OIDC_ISSUER and OIDC_AUDIENCE")
	}
	return nil
}

func parseNonNegative(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("want a whole number, 0 or more")
	}
	*dst = n
	return nil
}

func parseBytes(dst *int64, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 {
		return errors.New("want a whole number of bytes, at least 1024")
	}
	*dst = n
	return nil
}

func parseDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return errors.New("want a positive Go duration such as 5s or 1m30s")
	}
	*dst = d
	return nil
}

func nonEmpty(dst *string, v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*dst = v
	return nil
}

func oneOf(dst *string, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
}
