package web

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

var errNoToken = errors.New("no token in the form")

// pageData is what every template gets.
type pageData struct {
	Lang   string
	Path   string // the current request URI, for the language toggle
	Viewer viewer
	Signed bool
	Data   any
}

// render executes a page into a buffer first, so a template error becomes a clean 500 page
// instead of half a page.
func (h *Handler) render(c *gin.Context, status int, page string, v viewer, data any) {
	var buf bytes.Buffer
	pd := pageData{Lang: v.Lang, Path: c.Request.URL.RequestURI(), Viewer: v, Signed: v.Token != "", Data: data}
	if err := h.pages[page].Execute(&buf, pd); err != nil {
		h.Logger.Error("render dashboard page", "page", page, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("the page could not be drawn"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail renders an error page; detail is shown as text (escaped).
func (h *Handler) fail(c *gin.Context, v viewer, status int, detail string) {
	if v.Lang == "" {
		v.Lang = langOf(c)
	}
	h.render(c, status, "error", v, map[string]any{"Status": status, "Detail": detail})
	c.Abort()
}
