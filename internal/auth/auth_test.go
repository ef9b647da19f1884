package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestHS256RoundTripAndRefusals(t *testing.T) {
	h := HS256{Secret: []byte("0123456789abcdef0123"), Issuer: "iss", Audience: "aud"}
	now := time.Now()
	tok, err := h.Mint(Principal{Sub: "u1", Roles: []string{"handling_officer"}, BodyID: "ubdngs"}, time.Hour, now)
	require.NoError(t, err)
	p, err := h.Verify(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, Principal{Sub: "u1", Roles: []string{"handling_officer"}, BodyID: "ubdngs"}, p)

	expired, _ := h.Mint(Principal{Sub: "u1", Roles: []string{"head"}}, time.Minute, now.Add(-2*time.Hour))
	other := HS256{Secret: []byte("another-secret-0123456"), Issuer: "iss", Audience: "aud"}
	forged, _ := other.Mint(Principal{Sub: "u1", Roles: []string{"admin"}}, time.Hour, now)
	wrongAud, _ := HS256{Secret: h.Secret, Issuer: "iss", Audience: "x"}.Mint(Principal{Sub: "u1", Roles: []string{"admin"}}, time.Hour, now)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "roles": []string{"admin"}, "exp": now.Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, raw := range map[string]string{"expired": expired, "forged": forged, "wrong audience": wrongAud, "alg none": unsigned, "garbage": "a.b.c"} {
		_, err := h.Verify(context.Background(), raw)
		require.ErrorIs(t, err, ErrUnauthenticated, name)
	}
	_, err = h.Mint(Principal{Sub: "u1", Roles: []string{"wizard"}}, time.Hour, now)
	require.Error(t, err, "unknown roles cannot be minted")
}

// TestOIDCWithJWKS verifies RS256 tokens against a local JWKS endpoint, the production mode.
func TestOIDCWithJWKS(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks := map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(jwks) }))
	defer srv.Close()
	v, err := NewOIDC(context.Background(), "https://idp.example", "dannguyen", srv.URL)
	require.NoError(t, err)

	sign := func(claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(key)
		require.NoError(t, err)
		return s
	}
	now := time.Now()
	good := sign(jwt.MapClaims{"iss": "https://idp.example", "aud": "dannguyen", "sub": "u9", "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "roles": []string{"supervisor"}, "body_id": "ubdngs", "name": "Giám sát viên"})
	p, err := v.Verify(context.Background(), good)
	require.NoError(t, err)
	require.Equal(t, Principal{Sub: "u9", Name: "Giám sát viên", Roles: []string{"supervisor"}, BodyID: "ubdngs"}, p)

	badAud := sign(jwt.MapClaims{"iss": "https://idp.example", "aud": "other", "sub": "u9", "exp": now.Add(time.Hour).Unix(), "roles": []string{"supervisor"}})
	badIss := sign(jwt.MapClaims{"iss": "https://evil.example", "aud": "dannguyen", "sub": "u9", "exp": now.Add(time.Hour).Unix(), "roles": []string{"supervisor"}})
	noRoles := sign(jwt.MapClaims{"iss": "https://idp.example", "aud": "dannguyen", "sub": "u9", "exp": now.Add(time.Hour).Unix()})
	for name, raw := range map[string]string{"audience": badAud, "issuer": badIss, "no roles": noRoles} {
		_, err := v.Verify(context.Background(), raw)
		require.ErrorIs(t, err, ErrUnauthenticated, name)
	}
}
