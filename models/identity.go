package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/crypt"
)

// Pseudonym is the stable stand-in for a protected sender, e.g. "Người tố cáo #A17": derived
// from the letter id with a keyed hash, so it reveals nothing and reads the same everywhere.
func Pseudonym(key, letterID, kind string) string {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte("pseudonym:" + letterID))
	b := h.Sum(nil)
	label := "Người gửi"
	if kind == "denunciation" || kind == "mixed" {
		label = "Người tố cáo"
	}
	return fmt.Sprintf("%s #%c%02d", label, 'A'+b[0]%26, b[1]%100)
}

// SealIdentity stores the senders of a letter in the vault, once: a retried intake keeps the
// first sealed copy.
func SealIdentity(ctx context.Context, db *gorm.DB, keys *crypt.Keyring, letterID, pseudonym string, senders any) error {
	plain, err := json.Marshal(senders)
	if err != nil {
		return err
	}
	keyID, sealed, err := keys.Seal(plain, []byte(letterID))
	if err != nil {
		return fmt.Errorf("seal identity of %s: %w", letterID, err)
	}
	err = db.WithContext(ctx).Exec(`INSERT INTO identity_vault (letter_id, key_id, sealed, pseudonym) VALUES (?, ?, ?, ?)
		ON CONFLICT (letter_id) DO NOTHING`, letterID, keyID, sealed, pseudonym).Error
	if err != nil {
		return fmt.Errorf("store identity of %s: %w", letterID, err)
	}
	return nil
}

// OpenIdentity decrypts the senders of a letter into dst; apperr.NotFound when none is stored.
func OpenIdentity(ctx context.Context, db *gorm.DB, keys *crypt.Keyring, letterID string, dst any) (pseudonym string, err error) {
	var row struct {
		KeyID     string
		Sealed    []byte
		Pseudonym string
	}
	err = db.WithContext(ctx).Raw("SELECT key_id, sealed, pseudonym FROM identity_vault WHERE letter_id = ?", letterID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", apperr.New(apperr.NotFound, "no protected identity for letter %s", letterID)
	}
	if err != nil {
		return "", fmt.Errorf("read identity of %s: %w", letterID, err)
	}
	plain, err := keys.Open(row.KeyID, row.Sealed, []byte(letterID))
	if err != nil {
		return "", fmt.Errorf("identity of %s: %w", letterID, err)
	}
	return row.Pseudonym, json.Unmarshal(plain, dst)
}

// Grant is a per-case permission to see a protected identity.
type Grant struct {
	ID        int64     `json:"id"`
	LetterID  string    `json:"letter_id"`
	Grantee   string    `json:"grantee"`
	Reason    string    `json:"reason"`
	Until     time.Time `json:"until"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// AddGrant records a grant.
func AddGrant(ctx context.Context, db *gorm.DB, g Grant) (Grant, error) {
	err := db.WithContext(ctx).Raw(`INSERT INTO identity_grants (letter_id, grantee, reason, until, granted_by)
		VALUES (?, ?, ?, ?, ?) RETURNING id, granted_at`, g.LetterID, g.Grantee, g.Reason, g.Until, g.GrantedBy).
		Row().Scan(&g.ID, &g.GrantedAt)
	if err != nil {
		return g, fmt.Errorf("grant identity of %s: %w", g.LetterID, err)
	}
	return g, nil
}

// HasGrant reports whether grantee holds an unexpired grant on the letter.
func HasGrant(ctx context.Context, db *gorm.DB, letterID, grantee string, now time.Time) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table("identity_grants").Where("letter_id = ? AND grantee = ? AND until > ?", letterID, grantee, now).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("grants of %s: %w", letterID, err)
	}
	return n > 0, nil
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	LetterID string          `json:"letter_id"`
	Allowed  bool            `json:"allowed"`
	Reason   string          `json:"reason"`
	Detail   json.RawMessage `json:"detail" gorm:"type:jsonb"`
}

// Audit appends an entry.
func Audit(ctx context.Context, db *gorm.DB, e AuditEntry) error {
	detail := e.Detail
	if len(detail) == 0 {
		detail = json.RawMessage("{}")
	}
	err := db.WithContext(ctx).Exec(`INSERT INTO audit_log (actor, action, letter_id, allowed, reason, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Actor, e.Action, e.LetterID, e.Allowed, e.Reason, string(detail)).Error
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter selects audit entries, newest first, keyset-paged by id.
type AuditFilter struct {
	LetterID, Actor, Action string
	BeforeID                int64
	Limit                   int
}

// ListAudit returns one page of the audit log.
func ListAudit(ctx context.Context, db *gorm.DB, f AuditFilter) ([]AuditEntry, error) {
	q := db.WithContext(ctx).Table("audit_log").Select("id, at, actor, action, letter_id, allowed, reason, detail")
	if f.LetterID != "" {
		q = q.Where("letter_id = ?", f.LetterID)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []AuditEntry
	if err := q.Order("id DESC").Limit(f.Limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
