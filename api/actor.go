package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/workflows"
)

const actorKey = "dn.actor"

// actorOf returns who is calling, as set by the authentication middleware.
func actorOf(c *gin.Context) workflows.Actor {
	if v, ok := c.Get(actorKey); ok {
		if a, ok := v.(workflows.Actor); ok {
			return a
		}
	}
	return workflows.Actor{Sub: "anonymous"}
}

func (s *Server) now() time.Time { return s.Now() }
