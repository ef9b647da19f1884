package main

import (
	"net"
	"net/url"
)

// pgHostPort extracts host:port from a PostgreSQL URL for a reachability check.
func pgHostPort(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "127.0.0.1:5432"
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432")
	}
	return u.Host
}
