package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// runToken mints a development token signed with JWT_SECRET (AUTH_MODE=hs256 only).
func runToken(cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	sub := fs.String("sub", "", "user id (required)")
	name := fs.String("name", "", "display name")
	roles := fs.String("roles", "", "comma-separated roles: "+strings.Join(policy.Roles, ", "))
	body := fs.String("body", "", "body id of the user (see GET /v1/bodies)")
	ttl := fs.Duration("ttl", 12*time.Hour, "validity")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.AuthMode != "hs256" {
		return fmt.Errorf("AUTH_MODE=%s: tokens come from the identity provider, not from this command", cfg.AuthMode)
	}
	if *sub == "" || *roles == "" {
		fs.Usage()
		return fmt.Errorf("--sub and --roles are required")
	}
	if *name == "" {
		*name = *sub // the name claim is required (api.md); the user id stands in for it
	}
	tok, err := devSigner(cfg).Mint(auth.Principal{Sub: *sub, Name: *name, Roles: strings.Split(*roles, ","), BodyID: *body}, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, tok)
	return nil
}

func devSigner(cfg config.Config) auth.HS256 {
	return auth.HS256{Secret: []byte(cfg.JWTSecret), Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience}
}

// devTokens mints one token per role for the `make run` banner: office roles in the petitions
// committee, the agency role in Hà Nội's People's Committee.
func devTokens(cfg config.Config) []string {
	if cfg.AuthMode != "hs256" {
		return nil
	}
	var lines []string
	for _, role := range policy.Roles {
		body := "ubdngs"
		if role == policy.Agency {
			body = "ubnd-ha-noi"
		}
		tok, err := devSigner(cfg).Mint(auth.Principal{Sub: "dev-" + strings.ReplaceAll(role, "_", "-"), Name: role, Roles: []string{role}, BodyID: body}, 24*time.Hour, time.Now())
		if err != nil {
			continue
		}
		lines = append(lines, fmt.Sprintf("    %-18s (%s) %s", role, body, tok))
	}
	return lines
}
