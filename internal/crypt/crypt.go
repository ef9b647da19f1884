// Package crypt holds AES-256-GCM keyrings: the identity vault and the Temporal payload codec
// encrypt with the active key and store its id next to the ciphertext, so keys can rotate
// (add a new active key in front, keep the old ones to read old data).
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Keyring is an ordered set of keys; the first is the one new data is encrypted with.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
}

// ParseKeyring reads "id:base64key[,id:base64key...]" with 32-byte keys.
func ParseKeyring(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" || strings.ContainsAny(id, " \t") {
			return nil, errors.New(`want "id:base64key" entries separated by commas`)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %q must be 32 bytes in standard base64 (openssl rand -base64 32)", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("key id %q appears twice", id)
		}
		k.aeads[id] = aead
		if k.active == "" {
			k.active = id
		}
	}
	return k, nil
}

// MustParseKeyring is ParseKeyring for constants in tests.
func MustParseKeyring(spec string) *Keyring {
	k, err := ParseKeyring(spec)
	if err != nil {
		panic(err)
	}
	return k
}

// ActiveID is the id of the key new data is encrypted with.
func (k *Keyring) ActiveID() string { return k.active }

// Seal encrypts plain with the active key; aad binds the ciphertext to its context (e.g. the
// letter id), so a ciphertext copied to another row does not decrypt.
func (k *Keyring) Seal(plain, aad []byte) (keyID string, sealed []byte, err error) {
	aead := k.aeads[k.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	return k.active, aead.Seal(nonce, nonce, plain, aad), nil
}

// Open decrypts what Seal produced with key keyID.
func (k *Keyring) Open(keyID string, sealed, aad []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("no key %q in the keyring", keyID)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("ciphertext too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
	if err != nil {
		return nil, fmt.Errorf("decrypt with key %q: %w", keyID, err)
	}
	return plain, nil
}
