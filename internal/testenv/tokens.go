package testenv

import (
	"testing"
	"time"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// Tokens signs and verifies the tests' bearer tokens.
var Tokens = auth.HS256{Secret: []byte("test-only-jwt-secret-0123456789"), Issuer: "dannguyen-test", Audience: "dannguyen"}

// Token mints a token for sub with roles, in body.
func Token(t testing.TB, sub, body string, roles ...string) string {
	t.Helper()
	tok, err := Tokens.Mint(auth.Principal{Sub: sub, Name: sub, Roles: roles, BodyID: body}, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	return tok
}

// OfficeRoles are all the roles of the petition office's own staff; DefaultToken carries
// them, so tests about something else need not think about authorization.
var OfficeRoles = []string{policy.ReceivingOfficer, policy.HandlingOfficer, policy.Head, policy.Supervisor, policy.Admin, policy.Auditor, policy.Ops}

// DefaultToken is what Do sends when the caller gives no Authorization header: an officer of
// the petitions committee (body "ubdngs") holding every office role.
func DefaultToken(t testing.TB) string { return Token(t, "test-officer", "ubdngs", OfficeRoles...) }
