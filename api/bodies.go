package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/models"
)

// bodyRoutes serves the registry of bodies (api.md "Bodies"). The rules live in models, so
// the import, the worker and these handlers all enforce the same ones.
func (s *Server) bodyRoutes(g *gin.RouterGroup) {
	g.GET("/bodies", s.listBodies)
	g.GET("/bodies/:id", s.getBody)
	g.POST("/bodies", s.createBody)     // authz: admin
	g.PUT("/bodies/:id", s.replaceBody) // authz: admin
}

// bodyRequest is the writable part of a body. Pointers keep null (no superior, no province)
// apart from a value.
type bodyRequest struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	ParentID *string `json:"parent_id"`
	Province *string `json:"province"`
}

func (r bodyRequest) body() models.Body {
	return models.Body{ID: r.ID, Name: r.Name, Kind: r.Kind, ParentID: r.ParentID, Province: r.Province}
}

type bodyList struct {
	Items      []models.Body `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

func (s *Server) listBodies(c *gin.Context) {
	f := models.BodyFilter{
		Kind: c.Query("kind"), ParentID: c.Query("parent_id"), Province: c.Query("province"),
		Q: c.Query("q"), Cursor: c.Query("cursor"),
	}
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			// -1 is out of range (0 would mean the default), so models reports it together
			// with any other bad parameter.
			n = -1
		}
		f.Limit = n
	}
	items, next, err := models.ListBodies(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	out := bodyList{Items: items}
	if out.Items == nil {
		out.Items = []models.Body{}
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getBody(c *gin.Context) {
	b, err := models.GetBody(c.Request.Context(), s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

func (s *Server) createBody(c *gin.Context) {
	var req bodyRequest
	if !decodeJSON(c, &req) {
		return
	}
	b, err := models.CreateBody(c.Request.Context(), s.DB, req.body())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/bodies/"+b.ID)
	c.JSON(http.StatusCreated, b)
}

// replaceBody is a full replacement: an omitted parent_id or province becomes null.
func (s *Server) replaceBody(c *gin.Context) {
	var req bodyRequest
	if !decodeJSON(c, &req) {
		return
	}
	b, err := models.UpdateBody(c.Request.Context(), s.DB, c.Param("id"), req.body())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}
