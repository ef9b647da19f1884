package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// Cookie names: the session holds the bearer token itself, so revoking or expiring the token
// ends the session too.
const (
	SessionCookie = "dn_session"
	langCookie    = "dn_lang"
)

// viewer is who is looking, from the session cookie.
type viewer struct {
	Token string
	P     auth.Principal
	Lang  string
}

func (v viewer) subject() policy.Subject { return policy.Subject{Roles: v.P.Roles, BodyID: v.P.BodyID} }

func langOf(c *gin.Context) string {
	if l, err := c.Cookie(langCookie); err == nil && l == "en" {
		return "en"
	}
	return "vi"
}

// session reads and verifies the cookie; ok is false without a valid one.
func (h *Handler) session(c *gin.Context) (viewer, bool) {
	v := viewer{Lang: langOf(c)}
	raw, err := c.Cookie(SessionCookie)
	if err != nil || raw == "" || h.Verifier == nil {
		return v, false
	}
	p, err := h.Verifier.Verify(c.Request.Context(), raw)
	if err != nil {
		return v, false
	}
	v.Token, v.P = raw, p
	return v, true
}

// page wraps a handler: no valid session redirects to the login form (keeping where the
// viewer was going); roles that may never do action get a 403 page. Per-letter scope is
// checked by the API call the handler makes.
func (h *Handler) page(action string, next func(*gin.Context, viewer)) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, ok := h.session(c)
		if !ok {
			c.Redirect(http.StatusSeeOther, Prefix+"/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		}
		if !policy.CanAtAll(v.subject(), action) {
			h.fail(c, v, http.StatusForbidden, "")
			return
		}
		next(c, v)
	}
}

// safeNext keeps redirects inside the dashboard: no other host, no scheme, no "//".
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\x00") {
		return Prefix + "/"
	}
	return next
}

func secure(c *gin.Context) bool {
	return c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

// crossSite reports a form posted from another origin. The session cookie is SameSite=Strict,
// so another site cannot ride it; this also stops another site from logging the browser in
// as someone else (login CSRF). Browsers send Origin on every POST.
func crossSite(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if origin == "" || origin == "null" {
		return origin == "null"
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != c.Request.Host
}

func (h *Handler) loginForm(c *gin.Context) {
	v, _ := h.session(c)
	h.render(c, http.StatusOK, "login", v, map[string]any{"Next": safeNext(c.Query("next"))})
}

// login checks the pasted token with the same verifier as the API and stores it in the cookie.
func (h *Handler) login(c *gin.Context) {
	v := viewer{Lang: langOf(c)}
	if crossSite(c) {
		h.fail(c, v, http.StatusForbidden, "")
		return
	}
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.PostForm("token")), "Bearer "))
	next := safeNext(c.PostForm("next"))
	var p auth.Principal
	var err error
	if token == "" || len(token) > 8192 || h.Verifier == nil {
		err = errNoToken
	} else {
		p, err = h.Verifier.Verify(c.Request.Context(), token)
	}
	if err != nil {
		h.Logger.Info("dashboard login refused", "err", err)
		h.render(c, http.StatusUnauthorized, "login", v, map[string]any{"Next": next, "Error": true})
		return
	}
	h.Logger.Info("dashboard login", "sub", p.Sub)
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: Prefix + "/", HttpOnly: true,
		Secure: secure(c), SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, next)
}

func (h *Handler) logout(c *gin.Context) {
	if crossSite(c) {
		h.fail(c, viewer{Lang: langOf(c)}, http.StatusForbidden, "")
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: Prefix + "/", HttpOnly: true,
		Secure: secure(c), SameSite: http.SameSiteStrictMode, MaxAge: -1})
	c.Redirect(http.StatusSeeOther, Prefix+"/login")
}

// setLang switches the labels between Vietnamese and English.
func (h *Handler) setLang(c *gin.Context) {
	code := c.Param("code")
	if code != "vi" && code != "en" {
		h.fail(c, viewer{Lang: langOf(c)}, http.StatusNotFound, "")
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: code, Path: Prefix + "/", MaxAge: 365 * 24 * 3600,
		Secure: secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
}
