// Package auth verifies bearer tokens: HS256 with a shared secret for development, or OIDC
// (issuer discovery or a JWKS URL, audience checked) in production, chosen by configuration.
package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"

	"github.com/dannguyen/dannguyen/internal/policy"
)

// Principal is the verified caller.
type Principal struct {
	Sub    string
	Name   string
	Roles  []string
	BodyID string
}

// Claims are the token claims of api.md.
type Claims struct {
	Name   string   `json:"name,omitempty"`
	Roles  []string `json:"roles"`
	BodyID string   `json:"body_id,omitempty"`
	jwt.RegisteredClaims
}

// ErrUnauthenticated wraps every verification failure; the reason is for logs, not callers.
var ErrUnauthenticated = errors.New("unauthenticated")

// Verifier checks a raw bearer token.
type Verifier interface {
	Verify(ctx context.Context, raw string) (Principal, error)
}

// HS256 verifies tokens signed with a shared secret (development and tests).
type HS256 struct {
	Secret   []byte
	Issuer   string
	Audience string
}

// Verify implements Verifier.
func (h HS256) Verify(_ context.Context, raw string) (Principal, error) {
	var c Claims
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if h.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(h.Issuer))
	}
	if h.Audience != "" {
		opts = append(opts, jwt.WithAudience(h.Audience))
	}
	if _, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return h.Secret, nil }, opts...); err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return principal(c.Subject, c.Name, c.Roles, c.BodyID)
}

// Mint signs a development token.
func (h HS256) Mint(p Principal, ttl time.Duration, now time.Time) (string, error) {
	if _, err := principal(p.Sub, p.Name, p.Roles, p.BodyID); err != nil {
		return "", fmt.Errorf("cannot mint: %s (roles are %s)", strings.TrimPrefix(err.Error(), ErrUnauthenticated.Error()+": "), strings.Join(policy.Roles, ", "))
	}
	c := Claims{Name: p.Name, Roles: p.Roles, BodyID: p.BodyID, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.Sub, Issuer: h.Issuer, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	if h.Audience != "" {
		c.Audience = jwt.ClaimStrings{h.Audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(h.Secret)
}

// OIDC verifies tokens from an identity provider.
type OIDC struct{ v *oidc.IDTokenVerifier }

// NewOIDC builds a verifier for issuer and audience; with jwksURL empty the keys are found by
// OIDC discovery at the issuer.
func NewOIDC(ctx context.Context, issuer, audience, jwksURL string) (*OIDC, error) {
	cfg := &oidc.Config{ClientID: audience}
	if jwksURL != "" {
		return &OIDC{v: oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, jwksURL), cfg)}, nil
	}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", issuer, err)
	}
	return &OIDC{v: p.Verifier(cfg)}, nil
}

// Verify implements Verifier.
func (o *OIDC) Verify(ctx context.Context, raw string) (Principal, error) {
	tok, err := o.v.Verify(ctx, raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	var c struct {
		Name   string   `json:"name"`
		Roles  []string `json:"roles"`
		BodyID string   `json:"body_id"`
	}
	if err := tok.Claims(&c); err != nil {
		return Principal{}, fmt.Errorf("%w: claims: %v", ErrUnauthenticated, err)
	}
	return principal(tok.Subject, c.Name, c.Roles, c.BodyID)
}

func principal(sub, name string, roles []string, body string) (Principal, error) {
	if strings.TrimSpace(sub) == "" {
		return Principal{}, fmt.Errorf("%w: the token has no sub", ErrUnauthenticated)
	}
	if len(roles) == 0 {
		return Principal{}, fmt.Errorf("%w: the token has no roles", ErrUnauthenticated)
	}
	for _, r := range roles {
		if !slices.Contains(policy.Roles, r) {
			return Principal{}, fmt.Errorf("%w: unknown role %q", ErrUnauthenticated, r)
		}
	}
	return Principal{Sub: sub, Name: name, Roles: roles, BodyID: body}, nil
}
