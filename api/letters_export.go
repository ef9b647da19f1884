package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// exportPage is how many rows one read-model query brings; the export streams page by page,
// so a 100 k-row file never sits in memory.
var exportPage = 500

// letterColumns are the columns of a letters export, in Vietnamese for the officers who open
// it in Excel. The sender's phone and ID number appear only for letters that are not
// confidential: a protected letter's row holds no senders, only the pseudonym.
var letterColumns = []export.Column{
	{Header: "Số đơn"}, {Header: "Ngày nhận"}, {Header: "Loại đơn"}, {Header: "Trạng thái"},
	{Header: "Cơ quan nhận"}, {Header: "Cơ quan đang giữ"}, {Header: "Người xử lý"}, {Header: "Người gửi"},
	{Header: "Số điện thoại", Text: true}, {Header: "Số CCCD", Text: true}, {Header: "Trích yếu"},
	{Header: "Người/cơ quan bị khiếu nại, tố cáo"}, {Header: "Tỉnh, thành"}, {Header: "Hạn gần nhất"},
	{Header: "Quá hạn"}, {Header: "Mã"},
}

func letterRecord(v LetterView) []string {
	var phone, idNumber string
	var senders []workflows.Sender
	if !v.Confidential && json.Unmarshal(v.Senders, &senders) == nil && len(senders) > 0 {
		phone, idNumber = senders[0].Phone, senders[0].IDNumber
	}
	due := ""
	if v.DueAt != nil {
		due = deadline.DateOf(v.DueAt.Add(-time.Nanosecond)).String()
	}
	overdue := "Không"
	if v.Overdue {
		overdue = "Có"
	}
	return []string{v.Number, v.ReceivedOn, v.Kind, v.Status, v.ReceivingBodyID, v.BodyID, v.Assignee, v.SenderDisplay,
		phone, idNumber, v.Subject, v.Respondent, v.SubjectProvince, due, overdue, v.ID}
}

// exportLetters streams the filtered list as CSV or XLSX. The first page is read before any
// byte is sent, so a failing query is still a problem document; a failure later can only cut
// the file short, and is logged.
func (s *Server) exportLetters(c *gin.Context, f models.LetterFilter, format export.Format, now time.Time) {
	ctx := c.Request.Context()
	f.Limit, f.Cursor = exportPage, ""
	page, err := models.ListLettersPage(ctx, s.DB, f)
	if err == nil {
		err = s.auditIdentityMatches(c, page.IdentityMatches)
	}
	if err != nil {
		fail(c, err)
		return
	}
	rows, next := page.Rows, page.Next
	actor := actorOf(c)
	detail, _ := json.Marshal(map[string]any{"format": format, "query": c.Request.URL.RawQuery})
	if err := models.Audit(ctx, s.DB, models.AuditEntry{Actor: actor.Sub, Action: "letters.export", Allowed: true, Detail: detail}); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", format.ContentType())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="letters-%s.%s"`, now.Format("20060102-1504"), format))
	c.Status(http.StatusOK)
	w, err := export.New(c.Writer, format, letterColumns)
	if err != nil {
		s.Logger.Error("letters export", "err", err)
		return
	}
	written := 0
	for {
		for _, r := range rows {
			v, err := s.letterView(r, now)
			if err == nil {
				err = w.Row(letterRecord(v))
			}
			if err != nil {
				s.Logger.Error("letters export cut short", "rows", written, "err", err)
				return
			}
			written++
		}
		if fl, ok := w.(interface{ Flush() error }); ok {
			if err := fl.Flush(); err != nil {
				s.Logger.Warn("letters export: client went away", "rows", written, "err", err)
				return
			}
			c.Writer.Flush()
		}
		if next == "" {
			break
		}
		f.Cursor = next
		page, err = models.ListLettersPage(ctx, s.DB, f)
		if err == nil {
			err = s.auditIdentityMatches(c, page.IdentityMatches)
		}
		if err != nil {
			s.Logger.Error("letters export cut short", "rows", written, "err", err)
			return
		}
		rows, next = page.Rows, page.Next
	}
	if err := w.Close(); err != nil {
		s.Logger.Error("letters export", "rows", written, "err", err)
	}
}
