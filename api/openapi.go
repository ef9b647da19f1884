package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// The contract is written by hand, one fragment per feature (openapi/*.json: paths and
// component schemas), merged at start into one document. A test checks that every route is
// documented and every documented path is routed.
//
//go:embed openapi/*.json
var openapiFragments embed.FS

var openapiJSON = mustMergeOpenAPI()

func mustMergeOpenAPI() []byte {
	names, err := fs.Glob(openapiFragments, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	sort.Strings(names) // 00-base.json first
	var doc map[string]any
	for _, n := range names {
		raw, err := openapiFragments.ReadFile(n)
		if err != nil {
			panic(err)
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			panic(fmt.Sprintf("openapi fragment %s: %v", n, err))
		}
		if doc == nil {
			doc = frag
			continue
		}
		mergeInto(doc, frag, n)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

// mergeInto adds a fragment's paths and components; a name defined twice is a bug.
func mergeInto(doc, frag map[string]any, name string) {
	for key, v := range frag {
		src, _ := v.(map[string]any)
		dst, _ := doc[key].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			doc[key] = dst
		}
		for k, item := range src {
			if key == "components" {
				sub, _ := item.(map[string]any)
				d, _ := dst[k].(map[string]any)
				if d == nil {
					d = map[string]any{}
					dst[k] = d
				}
				for n, schema := range sub {
					if _, dup := d[n]; dup {
						panic(fmt.Sprintf("openapi fragment %s redefines components.%s.%s", name, k, n))
					}
					d[n] = schema
				}
				continue
			}
			if _, dup := dst[k]; dup {
				panic(fmt.Sprintf("openapi fragment %s redefines %s %s", name, key, k))
			}
			dst[k] = item
		}
	}
}

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openapiJSON)
}

type docOperation struct {
	Method, Path, Summary, Description string
	Params                             []docParam
	Responses                          []string
	Public                             bool
}

type docParam struct{ Name, In, Description string }

// docs renders the OpenAPI document as one plain HTML page. It needs no script from a CDN,
// so it works on an office network without internet access.
func (s *Server) docs(c *gin.Context) {
	var spec struct {
		Info  struct{ Title, Version, Description string }
		Paths map[string]map[string]struct {
			Summary     string
			Description string
			Security    *[]any
			Parameters  []struct {
				Name, In    string
				Description string
			}
			Responses map[string]struct{ Description string }
		}
	}
	if err := json.Unmarshal(openapiJSON, &spec); err != nil {
		fail(c, err)
		return
	}
	var ops []docOperation
	for path, methods := range spec.Paths {
		for method, op := range methods {
			if method == "parameters" {
				continue
			}
			d := docOperation{Method: strings.ToUpper(method), Path: path, Summary: op.Summary, Description: op.Description,
				Public: op.Security != nil && len(*op.Security) == 0}
			for _, p := range op.Parameters {
				d.Params = append(d.Params, docParam{p.Name, p.In, p.Description})
			}
			for code, r := range op.Responses {
				d.Responses = append(d.Responses, code+" "+r.Description)
			}
			sort.Strings(d.Responses)
			ops = append(ops, d)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	_ = docsPage.Execute(c.Writer, map[string]any{"Info": spec.Info, "Ops": ops})
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{.Info.Title}} — API</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;font-size:1.05rem;font-family:monospace}
.m{display:inline-block;min-width:4rem;font-weight:bold}.pub{color:#080;font-size:.8rem}
table{border-collapse:collapse;font-size:.9rem}td{padding:.1rem .6rem .1rem 0;vertical-align:top}
</style></head><body>
<h1>{{.Info.Title}} <small>v{{.Info.Version}}</small></h1>
<p>{{.Info.Description}}</p>
<p>Machine-readable contract: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
{{range .Ops}}<section>
<h2><span class="m">{{.Method}}</span>{{.Path}} {{if .Public}}<span class="pub">no token</span>{{end}}</h2>
<p><b>{{.Summary}}</b>{{if .Description}}<br>{{.Description}}{{end}}</p>
{{if .Params}}<table>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
<p>Responses: {{range .Responses}}<code>{{.}}</code>; {{end}}</p>
</section>{{end}}
</body></html>`))
