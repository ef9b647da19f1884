package crypt

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

const (
	metaEncoding  = "encoding"
	metaKeyID     = "encryption-key-id"
	encodingValue = "binary/encrypted"
)

// PayloadCodec encrypts Temporal payloads, so workflow inputs, results and history in the
// Temporal UI show no personal data. Payloads written before encryption was turned on pass
// through decode unchanged, so old histories still replay.
type PayloadCodec struct{ Keys *Keyring }

// Encode implements converter.PayloadCodec.
func (c PayloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		raw, err := p.Marshal()
		if err != nil {
			return nil, err
		}
		id, sealed, err := c.Keys.Seal(raw, nil)
		if err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{metaEncoding: []byte(encodingValue), metaKeyID: []byte(id)},
			Data:     sealed,
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec.
func (c PayloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.Metadata[metaEncoding]) != encodingValue {
			out[i] = p
			continue
		}
		raw, err := c.Keys.Open(string(p.Metadata[metaKeyID]), p.Data, nil)
		if err != nil {
			return nil, fmt.Errorf("decode payload: %w", err)
		}
		var dec commonpb.Payload
		if err := dec.Unmarshal(raw); err != nil {
			return nil, fmt.Errorf("decode payload: %w", err)
		}
		out[i] = &dec
	}
	return out, nil
}

// DataConverter wraps the default converter with the codec.
func DataConverter(keys *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), PayloadCodec{Keys: keys})
}
