package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

// Body kinds, as the API names them.
const (
	BodyNACommittee         = "na_committee"
	BodyNADelegation        = "na_delegation"
	BodyMinistry            = "ministry"
	BodyCourt               = "court"
	BodyProcuracy           = "procuracy"
	BodyProvincialCommittee = "provincial_committee"
	BodyCommune             = "commune"
	BodyOther               = "other"
)

// BodyKinds lists every kind, in the order the API documents them.
var BodyKinds = []string{BodyNACommittee, BodyNADelegation, BodyMinistry, BodyCourt, BodyProcuracy,
	BodyProvincialCommittee, BodyCommune, BodyOther}

// Body is one authority in the registry. ParentID is its superior body: where an overdue or
// mishandled matter is escalated (LTC 38, LTCQH 28), so it must form a tree.
type Body struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	Name            string     `json:"name"`
	Kind            string     `json:"kind"`
	ParentID        *string    `json:"parent_id"`
	Province        *string    `json:"province"`
	FormerProvinces StringList `json:"former_provinces"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	UpdatedBy       string     `json:"updated_by"`
}

// TableName maps Body to the bodies table.
func (Body) TableName() string { return "bodies" }

// StringList is a PostgreSQL text[] column. database/sql on Go 1.26 hands arrays to Scan as
// their text form, so pgx's codec parses them; a nil list is stored and shown as empty.
type StringList []string

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error {
	var out []string
	// A Map per call: pgtype.Map memoizes plans in maps that are not safe for concurrent use.
	if err := pgtype.NewMap().SQLScanner(&out).Scan(src); err != nil {
		return fmt.Errorf("scan text[]: %w", err)
	}
	*l = out
	return nil
}

// Value implements driver.Valuer; pgx encodes the []string as text[].
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return []string{}, nil
	}
	return []string(l), nil
}

// GormDataType tells Gorm the column type; it cannot infer one for a slice.
func (StringList) GormDataType() string { return "text[]" }

// MarshalJSON writes an empty list as [] rather than null.
func (l StringList) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

var bodyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

func notFoundBody(id string) error {
	return apperr.New(apperr.NotFound, "no body with id %q", id)
}

// GetBody returns the body with id, or an apperr NotFound.
func GetBody(ctx context.Context, db *gorm.DB, id string) (Body, error) {
	var b Body
	if !bodyIDPattern.MatchString(id) { // also keeps NUL bytes and bad UTF-8 away from PostgreSQL
		return b, notFoundBody(id)
	}
	err := db.WithContext(ctx).Where("id = ?", id).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return b, notFoundBody(id)
	}
	if err != nil {
		return b, fmt.Errorf("get body %s: %w", id, err)
	}
	return b, nil
}

// BodyExists reports whether a body with id is registered.
func BodyExists(ctx context.Context, db *gorm.DB, id string) (bool, error) {
	if !bodyIDPattern.MatchString(id) {
		return false, nil
	}
	var n int64
	if err := db.WithContext(ctx).Model(&Body{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, fmt.Errorf("look up body %s: %w", id, err)
	}
	return n > 0, nil
}

// SuperiorOf returns the body a matter at id escalates to; ok is false at the top of the tree.
func SuperiorOf(ctx context.Context, db *gorm.DB, id string) (Body, bool, error) {
	b, err := GetBody(ctx, db, id)
	if err != nil {
		return Body{}, false, err
	}
	if b.ParentID == nil {
		return Body{}, false, nil
	}
	parent, err := GetBody(ctx, db, *b.ParentID)
	if err != nil {
		return Body{}, false, fmt.Errorf("superior of %s: %w", id, err)
	}
	return parent, true, nil
}

// Page sizes of body lists.
const (
	BodyPageDefault = 50
	BodyPageMax     = 500
)

// BodyFilter selects bodies; empty fields do not filter. Field names in errors are the API's
// query parameter names.
type BodyFilter struct {
	Kind     string
	ParentID string
	Province string // a current or a former province name; a former one selects its successor
	Q        string // part of the name, ignoring case and diacritics
	Limit    int    // 1..BodyPageMax; 0 means BodyPageDefault
	Cursor   string // next from the previous page
}

// ListBodies returns one page ordered by id and the cursor of the next page ("" at the end).
// Paging is by keyset (id > the last one seen), so rows added meanwhile never shift a page.
func ListBodies(ctx context.Context, db *gorm.DB, f BodyFilter) ([]Body, string, error) {
	var v apperr.Validation
	if f.Limit == 0 {
		f.Limit = BodyPageDefault
	}
	v.Check(f.Limit >= 1 && f.Limit <= BodyPageMax, "limit", "must be an integer from 1 to %d", BodyPageMax)
	after, ok := decodeBodyCursor(f.Cursor)
	v.Check(ok, "cursor", "is not a cursor returned by this list")
	v.Check(f.Kind == "" || slices.Contains(BodyKinds, f.Kind), "kind", "must be one of %s", strings.Join(BodyKinds, ", "))
	v.Check(f.ParentID == "" || bodyIDPattern.MatchString(f.ParentID), "parent_id", "is not a body id")
	q := norm.NFC.String(strings.TrimSpace(f.Q))
	if msg := textFieldProblem(q, 200); msg != "" {
		v.Add("q", "%s", msg)
	}
	province := ""
	if f.Province != "" {
		p, ok, err := ResolveProvince(ctx, db, f.Province)
		if err != nil {
			return nil, "", err
		}
		v.Check(ok, "province", "is not one of the 34 provinces nor a former province")
		province = p
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}

	tx := db.WithContext(ctx).Order("id").Limit(f.Limit + 1)
	if after != "" {
		tx = tx.Where("id > ?", after)
	}
	if f.Kind != "" {
		tx = tx.Where("kind = ?", f.Kind)
	}
	if f.ParentID != "" {
		tx = tx.Where("parent_id = ?", f.ParentID)
	}
	if province != "" {
		tx = tx.Where("province = ?", province)
	}
	if q != "" {
		// unaccent is not immutable, so no index serves this; the registry is a few thousand
		// rows at most (every commune included), which a scan handles.
		tx = tx.Where(`lower(unaccent(name)) LIKE '%' || lower(unaccent(?::text)) || '%'`, escapeLikePattern(q))
	}
	var items []Body
	if err := tx.Find(&items).Error; err != nil {
		return nil, "", fmt.Errorf("list bodies: %w", err)
	}
	next := ""
	if len(items) > f.Limit {
		items = items[:f.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(items[len(items)-1].ID))
	}
	return items, next, nil
}

func decodeBodyCursor(c string) (after string, ok bool) {
	if c == "" {
		return "", true
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !bodyIDPattern.Match(raw) {
		return "", false
	}
	return string(raw), true
}

func escapeLikePattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CreateBody registers b. Every bad field is reported at once (apperr Invalid); an id in use
// is a Conflict.
func CreateBody(ctx context.Context, db *gorm.DB, b Body) (Body, error) {
	db = db.WithContext(ctx)
	var v apperr.Validation
	cleanBody(&b, &v)
	if err := checkBodyParent(db, b, &v); err != nil {
		return Body{}, err
	}
	if err := v.Err(); err != nil {
		return Body{}, err
	}
	b.FormerProvinces = StringList{}
	b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	err := db.Create(&b).Error
	if err == nil {
		// Reloaded so that the timestamps carry PostgreSQL's microseconds, as every later read will.
		err = db.Where("id = ?", b.ID).Take(&b).Error
	}
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return Body{}, apperr.New(apperr.Conflict, "a body with id %q already exists", b.ID)
	case errors.Is(err, gorm.ErrForeignKeyViolated): // the parent went away since checkBodyParent
		return Body{}, apperr.Fields([]apperr.FieldError{{Field: "parent_id", Message: "no body has this id"}})
	case err != nil:
		return Body{}, fmt.Errorf("create body %s: %w", b.ID, err)
	}
	return b, nil
}

// bodyHierarchyLock serialises changes of parent_id: two moves that are each acyclic alone (A
// under B, B under A) would otherwise both pass the cycle check and commit a loop.
const bodyHierarchyLock = 7_310_003

// UpdateBody replaces the name, kind, parent and province of the body id. b.ID must be empty
// or id. Moving a body to another province clears its former provinces, which described the
// old one.
func UpdateBody(ctx context.Context, db *gorm.DB, id string, b Body) (Body, error) {
	var out Body
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if !bodyIDPattern.MatchString(id) {
			return notFoundBody(id)
		}
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", bodyHierarchyLock).Error; err != nil {
			return fmt.Errorf("lock body hierarchy: %w", err)
		}
		var cur Body
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFoundBody(id)
		}
		if err != nil {
			return fmt.Errorf("load body %s: %w", id, err)
		}
		var v apperr.Validation
		v.Check(b.ID == "" || b.ID == id, "id", "must be omitted or equal the id in the path (%s)", id)
		b.ID = id
		cleanBody(&b, &v)
		if err := checkBodyParent(tx, b, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		cols := map[string]any{
			"name": b.Name, "kind": b.Kind, "parent_id": nullString(b.ParentID), "province": nullString(b.Province),
			"updated_at": tx.NowFunc(), "updated_by": b.UpdatedBy,
		}
		if !sameString(cur.Province, b.Province) {
			cols["former_provinces"] = StringList{}
		}
		if err := tx.Model(&Body{}).Where("id = ?", id).Updates(cols).Error; err != nil {
			return fmt.Errorf("update body %s: %w", id, err)
		}
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			return fmt.Errorf("reload body %s: %w", id, err)
		}
		return nil
	})
	return out, err
}

// cleanBody NFC-normalises and trims the text fields in place, canonicalises the province and
// records every rule a field breaks. Vietnamese text arrives precomposed or decomposed
// depending on the keyboard; storing NFC makes equal names compare equal.
func cleanBody(b *Body, v *apperr.Validation) {
	switch {
	case b.ID == "":
		v.Add("id", "is required")
	case !bodyIDPattern.MatchString(b.ID):
		v.Add("id", "must be 2 to 63 characters: lower-case ASCII letters, digits and '-', not starting with '-'")
	}
	b.Name = norm.NFC.String(strings.TrimSpace(b.Name))
	if msg := textFieldProblem(b.Name, 300); msg != "" {
		v.Add("name", "%s", msg)
	} else if b.Name == "" {
		v.Add("name", "is required")
	}
	if !slices.Contains(BodyKinds, b.Kind) {
		v.Add("kind", "must be one of %s", strings.Join(BodyKinds, ", "))
	}
	if b.ParentID != nil && !bodyIDPattern.MatchString(*b.ParentID) {
		v.Add("parent_id", "is not a body id (use null for a body with no superior)")
	}
	if b.Province != nil {
		if p, msg := canonicalProvince(*b.Province); msg != "" {
			v.Add("province", "%s", msg)
		} else {
			b.Province = &p
		}
	}
}

// textFieldProblem says what is wrong with a free-text value, or "" when it is acceptable.
func textFieldProblem(s string, maxRunes int) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "must not contain control characters"
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return fmt.Sprintf("must be at most %d characters", maxRunes)
	}
	return ""
}

// checkBodyParent adds a parent_id error when the parent is unknown or would close a loop in the
// hierarchy (escalation would then never reach the top).
func checkBodyParent(db *gorm.DB, b Body, v *apperr.Validation) error {
	if b.ParentID == nil || !bodyIDPattern.MatchString(*b.ParentID) {
		return nil
	}
	if *b.ParentID == b.ID {
		v.Add("parent_id", "a body cannot be its own superior")
		return nil
	}
	var found, cycle bool
	err := db.Raw(`WITH RECURSIVE up(id, parent_id) AS (
			SELECT id, parent_id FROM bodies WHERE id = ?
			UNION
			SELECT b.id, b.parent_id FROM bodies b JOIN up ON b.id = up.parent_id)
		SELECT count(*) > 0, coalesce(bool_or(id = ?), false) FROM up`, *b.ParentID, b.ID).Row().Scan(&found, &cycle)
	if err != nil {
		return fmt.Errorf("check parent of body %s: %w", b.ID, err)
	}
	switch {
	case !found:
		v.Add("parent_id", "no body has id %q", *b.ParentID)
	case cycle:
		v.Add("parent_id", "%q is below %q in the hierarchy; the move would make a loop", *b.ParentID, b.ID)
	}
	return nil
}

func nullString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func sameString(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// The seed: the registry as it stands after the 2025 reforms (two-tier local government with
// 34 provinces; 14 ministries and 3 ministerial-level agencies), from models/seed/bodies.json.
//
//go:embed seed/bodies.json
var bodiesJSON []byte

func init() { registerGoMigration(5, bodiesJSON, seedBodies) }

type seedProvince struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"` // city or province
	Former []string `json:"former"`
}

type bodySeedFile struct {
	Provinces     []seedProvince `json:"provinces"`
	CentralBodies []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"central_bodies"`
}

// provinceIndex indexes the 34 current provinces by provinceKey, and each former province by the
// key of its name. The list is law, fixed in the embedded seed and mirrored by the CHECK on
// bodies.province, so it is read once.
var provinceIndex = func() (p struct {
	seed    bodySeedFile
	current map[string]string // key -> current name
	former  map[string]string // key of a former name -> current name
}) {
	if err := json.Unmarshal(bodiesJSON, &p.seed); err != nil {
		panic(fmt.Sprintf("models/seed/bodies.json: %v", err))
	}
	p.current, p.former = map[string]string{}, map[string]string{}
	for _, sp := range p.seed.Provinces {
		p.current[provinceKey(sp.Name)] = sp.Name
		for _, f := range sp.Former {
			p.former[provinceKey(f)] = sp.Name
		}
	}
	return p
}()

const (
	idStandingCommittee = "ubtvqh"    // Ủy ban Thường vụ Quốc hội
	idPetitionCommittee = "ubdngs"    // Ủy ban Dân nguyện và Giám sát
	idGovernment        = "chinh-phu" // Chính phủ
)

// Ids the office already says aloud; every other central body gets the slug of its name. Keyed
// by slug so that either spelling of a tone mark ("Ủy"/"Uỷ") finds it.
var centralIDs = map[string]string{
	"uy-ban-dan-nguyen-va-giam-sat-cua-quoc-hoi": idPetitionCommittee,
	"toa-an-nhan-dan-toi-cao":                    "tandtc",
	"vien-kiem-sat-nhan-dan-toi-cao":             "vksndtc",
}

// seededBodies builds the seed rows, parents before children.
//
// parent_id is the body a matter escalates to when this one is late or will not act, so the
// parents follow who answers for whom:
//   - UBTVQH is the root. Between NA sessions it is the NA organ that supervises the
//     Government, the Supreme People's Court, the Supreme People's Procuracy and the State
//     Audit, which report to the NA and, between sessions, to it; the NA itself takes no
//     escalations, so those four sit under UBTVQH, as do the NA's councils, committees and Office.
//   - The provincial NA delegations sit under the Committee for People's Aspirations and
//     Supervision, which leads the supervision of how petitions sent to the NA are resolved
//     (UBTVQH Res. 71/2025 art 12) and to which delegations report their petition work.
//   - Ministries, ministerial-level agencies and provincial People's Committees sit under the
//     Government: a forward they leave unanswered goes up to it.
func seededBodies() ([]Body, error) {
	s := provinceIndex.seed
	out := []Body{
		{ID: idStandingCommittee, Name: "Ủy ban Thường vụ Quốc hội", Kind: BodyNACommittee},
		{ID: idGovernment, Name: "Chính phủ", Kind: BodyOther, ParentID: stringRef(idStandingCommittee)},
	}
	for _, c := range s.CentralBodies {
		id := centralIDs[asciiSlug(c.Name)]
		if id == "" {
			id = asciiSlug(c.Name)
		}
		parent := idStandingCommittee
		if c.Kind == BodyMinistry {
			parent = idGovernment
		}
		out = append(out, Body{ID: id, Name: c.Name, Kind: c.Kind, ParentID: stringRef(parent)})
	}
	for _, p := range s.Provinces {
		out = append(out, Body{
			ID: "doan-dbqh-" + asciiSlug(p.Name), Name: "Đoàn ĐBQH " + p.Name, Kind: BodyNADelegation,
			ParentID: stringRef(idPetitionCommittee), Province: stringRef(p.Name), FormerProvinces: p.Former,
		})
	}
	for _, p := range s.Provinces {
		unit := "tỉnh"
		if p.Kind == "city" {
			unit = "thành phố"
		}
		out = append(out, Body{
			ID: "ubnd-" + asciiSlug(p.Name), Name: "UBND " + unit + " " + p.Name, Kind: BodyProvincialCommittee,
			ParentID: stringRef(idGovernment), Province: stringRef(p.Name), FormerProvinces: p.Former,
		})
	}
	seen := map[string]bool{}
	for i := range out {
		var v apperr.Validation
		cleanBody(&out[i], &v)
		if err := v.Err(); err != nil {
			return nil, fmt.Errorf("seed body %s: %w", out[i].ID, err)
		}
		if seen[out[i].ID] {
			return nil, fmt.Errorf("seed body %s: the id is used twice", out[i].ID)
		}
		seen[out[i].ID] = true
	}
	return out, nil
}

func seedBodies(ctx context.Context, tx *sql.Tx) error {
	rows, err := seededBodies()
	if err != nil {
		return err
	}
	for _, b := range rows {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bodies (id, name, kind, parent_id, province, former_provinces, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, 'seed') ON CONFLICT (id) DO NOTHING`,
			b.ID, b.Name, b.Kind, nullString(b.ParentID), nullString(b.Province), b.FormerProvinces); err != nil {
			return fmt.Errorf("seed body %s: %w", b.ID, err)
		}
	}
	return nil
}

// ResolveProvince maps a province name as citizens and old letters write it, current or
// pre-2025, with or without diacritics, case or a "Tỉnh"/"Thành phố"/"TP." prefix, to the
// current province whose bodies now handle it. ok is false when no registered province or
// former province has that name.
func ResolveProvince(ctx context.Context, db *gorm.DB, name string) (string, bool, error) {
	key := provinceKey(name)
	if key == "" {
		return "", false, nil
	}
	var rows []struct {
		Province        string
		FormerProvinces StringList
	}
	if err := db.WithContext(ctx).Raw(`SELECT DISTINCT province, former_provinces FROM bodies
		WHERE province IS NOT NULL`).Scan(&rows).Error; err != nil {
		return "", false, fmt.Errorf("resolve province %q: %w", name, err)
	}
	successors := map[string]bool{}
	for _, r := range rows {
		if provinceKey(r.Province) == key {
			return r.Province, true, nil
		}
		for _, f := range r.FormerProvinces {
			if provinceKey(f) == key {
				successors[r.Province] = true
			}
		}
	}
	if len(successors) != 1 { // none, or a registry that splits one old province: ask a person
		return "", false, nil
	}
	for p := range successors {
		return p, true, nil
	}
	return "", false, nil
}

// canonicalProvince returns the registered spelling of a current province, or why name is not
// one.
func canonicalProvince(name string) (string, string) {
	key := provinceKey(name)
	if p, ok := provinceIndex.current[key]; ok {
		return p, ""
	}
	if p, ok := provinceIndex.former[key]; ok {
		return "", fmt.Sprintf("%q is a former province, part of %s since 1 July 2025; use %q", name, p, p)
	}
	return "", fmt.Sprintf("must be one of the %d provinces in force since 1 July 2025 (or null)", len(provinceIndex.current))
}

// provinceKey folds a province name for comparison: "TP. Hồ Chí Minh", "thành phố HCM" and
// "Ho Chi Minh" all give "hochiminh".
func provinceKey(name string) string {
	words := strings.FieldsFunc(foldDiacritics(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
strip: // the unit type that addresses put in front of the name
	for len(words) > 1 {
		switch {
		case words[0] == "tp" || words[0] == "tinh":
			words = words[1:]
		case len(words) > 2 && (words[0] == "thanh" && words[1] == "pho" || words[0] == "thu" && words[1] == "do"):
			words = words[2:]
		default:
			break strip
		}
	}
	key := strings.Join(words, "")
	if full, ok := provinceAliases[key]; ok {
		return full
	}
	return key
}

var provinceAliases = map[string]string{"hcm": "hochiminh", "tphcm": "hochiminh", "saigon": "hochiminh"}

// foldDiacritics lower-cases s and drops Vietnamese diacritics; đ has no decomposition, so it
// is mapped by hand.
func foldDiacritics(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// asciiSlug makes an id part from a Vietnamese name: "Bộ Văn hóa, Thể thao và Du lịch" ->
// "bo-van-hoa-the-thao-va-du-lich".
func asciiSlug(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range foldDiacritics(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}

func stringRef(s string) *string { return &s }
