package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/models"
)

// reportColumns are the columns of a session report file, in Vietnamese for the officers who
// open it in Excel.
var reportColumns = []export.Column{
	{Header: "Mã cơ quan"}, {Header: "Cơ quan trả lời"}, {Header: "Số kiến nghị đã chuyển"}, {Header: "Đã trả lời"},
	{Header: "Trả lời đúng hạn"}, {Header: "Trả lời quá hạn"}, {Header: "Chưa trả lời"}, {Header: "Chưa trả lời, đã quá hạn"},
	{Header: "Đã giải quyết"}, {Header: "Đang giải quyết"}, {Header: "Giải trình, cung cấp thông tin"}, {Header: "Chưa giải quyết"},
	{Header: "Cử tri hài lòng"}, {Header: "Chưa hài lòng"}, {Header: "Chuyển theo dõi kỳ sau"},
}

func reportRecord(r models.BodyAnswers) []string {
	n := strconv.Itoa
	return []string{r.BodyID, r.BodyName, n(r.Forwarded), n(r.Answered), n(r.AnsweredOnTime), n(r.AnsweredLate), n(r.Unanswered),
		n(r.UnansweredOverdue), n(r.Resolved), n(r.InProgress), n(r.Explained), n(r.Unresolved), n(r.Satisfied), n(r.Unsatisfied),
		n(r.CarriedOver)}
}

// sessionReport answers GET /v1/sessions/{id}/report: per body, the petitions forwarded,
// answered on time, late, unanswered, and the answers by class (domain.md §9 item 5); JSON, or
// CSV / XLSX by Accept or ?format=.
func (s *Server) sessionReport(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.report")
	if !ok {
		return
	}
	format, asFile, ferr := export.Negotiate(c.Query("format"), c.GetHeader("Accept"))
	if ferr != nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "format", Message: ferr.Error()}}))
		return
	}
	ctx := c.Request.Context()
	now := s.now()
	bodies, collected, err := models.SessionReport(ctx, s.DB, row.ID, now)
	if err != nil {
		fail(c, err)
		return
	}
	total := models.BodyAnswers{BodyID: "", BodyName: "Tổng cộng"}
	for _, b := range bodies {
		total.Add(b)
	}
	counts, err := models.CountSession(ctx, s.DB, row.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if !asFile {
		if bodies == nil {
			bodies = []models.BodyAnswers{}
		}
		if collected == nil {
			collected = []models.DelegationCollected{}
		}
		c.JSON(http.StatusOK, gin.H{"session_id": row.ID, "term": row.Term, "number": row.Number, "as_of": now,
			"bodies": bodies, "totals": total, "collected": collected, "counts": counts,
			"links": gin.H{"csv": "/v1/sessions/" + row.ID + "/report?format=csv", "xlsx": "/v1/sessions/" + row.ID + "/report?format=xlsx"}})
		return
	}
	detail, _ := json.Marshal(map[string]any{"format": format, "session_id": row.ID})
	if err := models.Audit(ctx, s.DB, models.AuditEntry{Actor: actorOf(c).Sub, Action: "sessions.report.export", Allowed: true, Detail: detail}); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", format.ContentType())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kien-nghi-cu-tri-%s-%s.%s"`, row.ID, now.Format("20060102"), format))
	c.Status(http.StatusOK)
	w, err := export.New(c.Writer, format, reportColumns)
	if err != nil {
		s.Logger.Error("session report export", "err", err)
		return
	}
	for _, b := range append(bodies, total) {
		if err := w.Row(reportRecord(b)); err != nil {
			s.Logger.Error("session report export cut short", "err", err)
			return
		}
	}
	if err := w.Close(); err != nil {
		s.Logger.Error("session report export", "err", err)
	}
}
