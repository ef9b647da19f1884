package api

import (
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/converter"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/crypt"
)

// codecRoutes serves the Temporal codec protocol (/codec/encode, /codec/decode) so authorised
// operators can read encrypted payloads in the Temporal UI or CLI
// (`temporal workflow show --codec-endpoint http://localhost:8080/codec --codec-auth "Bearer …"`).
func (s *Server) codecRoutes(r *gin.Engine) {
	h := http.StripPrefix("/codec", converter.NewPayloadCodecHTTPHandler(crypt.PayloadCodec{Keys: s.PayloadKeys}))
	cors := func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		for _, allowed := range strings.Split(s.CodecCORSOrigins, ",") {
			if origin != "" && strings.TrimSpace(allowed) == origin {
				c.Header("Access-Control-Allow-Origin", origin)
				c.Header("Access-Control-Allow-Credentials", "true")
				c.Header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
				c.Header("Access-Control-Allow-Methods", "POST, OPTIONS")
			}
		}
	}
	for _, p := range []string{"/codec/encode", "/codec/decode"} {
		r.OPTIONS(p, func(c *gin.Context) { cors(c); c.Status(http.StatusNoContent) })
		r.POST(p, func(c *gin.Context) { cors(c); serveCodec(c, h) })
	}
}

// serveCodec runs the SDK's codec handler and passes its answer on, except that its plain-text
// errors become problem documents like every other error of the API. The payloads are small
// (one history page), so buffering the answer costs little.
func serveCodec(c *gin.Context, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, c.Request)
	if rec.Code >= 400 {
		kind := apperr.Malformed
		if rec.Code >= 500 {
			kind = apperr.Internal
		}
		fail(c, apperr.New(kind, "the codec could not %s these payloads: %s", strings.TrimPrefix(c.Request.URL.Path, "/codec/"), strings.TrimSpace(rec.Body.String())))
		return
	}
	for k, v := range rec.Header() {
		c.Writer.Header()[k] = v
	}
	c.Status(rec.Code)
	_, _ = c.Writer.Write(rec.Body.Bytes())
}
