-- +goose Up
-- The registry of bodies (cơ quan): where letters are forwarded, who answers voters' petitions,
-- and, through parent_id, the superior body an overdue matter is escalated to. The rows are
-- seeded by Go migration 5 (models/bodies.go) from models/seed/bodies.json.
--
-- Ids are compared byte-wise (COLLATE "C") so that keyset pagination by id means the same order
-- in every locale and the primary key index serves it.
CREATE TABLE bodies (
    id               text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300),
    kind             text NOT NULL CHECK (kind IN ('na_committee', 'na_delegation', 'ministry', 'court',
                         'procuracy', 'provincial_committee', 'commune', 'other')),
    parent_id        text COLLATE "C" REFERENCES bodies (id) CHECK (parent_id <> id),
    -- The 34 provincial-level units in force since the 1 July 2025 merger (63 -> 34).
    province         text CHECK (province IN (
        'Hà Nội',
        'Huế',
        'Lai Châu',
        'Điện Biên',
        'Sơn La',
        'Lạng Sơn',
        'Quảng Ninh',
        'Thanh Hóa',
        'Nghệ An',
        'Hà Tĩnh',
        'Cao Bằng',
        'Tuyên Quang',
        'Lào Cai',
        'Thái Nguyên',
        'Phú Thọ',
        'Bắc Ninh',
        'Hưng Yên',
        'Hải Phòng',
        'Ninh Bình',
        'Quảng Trị',
        'Đà Nẵng',
        'Quảng Ngãi',
        'Gia Lai',
        'Khánh Hòa',
        'Lâm Đồng',
        'Đắk Lắk',
        'Hồ Chí Minh',
        'Đồng Nai',
        'Tây Ninh',
        'Cần Thơ',
        'Vĩnh Long',
        'Đồng Tháp',
        'Cà Mau',
        'An Giang'
    )),
    -- The pre-2025 provinces this body's area now covers: petitions written before the merger,
    -- and citizens' addresses, still name the old province.
    former_provinces text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT ''
);
CREATE INDEX bodies_parent_id ON bodies (parent_id);
CREATE INDEX bodies_kind ON bodies (kind);
CREATE INDEX bodies_province ON bodies (province);

-- +goose Down
DROP TABLE bodies;
