package temporalx

import (
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/internal/crypt"
)

var zeroTime = time.Unix(0, 0).UTC()

// DataConverter encrypts every payload with the keyring (workflow inputs, results, Update
// arguments, activity arguments), so Temporal's history and UI hold no personal data.
func DataConverter(keys *crypt.Keyring) converter.DataConverter {
	return crypt.DataConverter(keys)
}

// FailureConverter also encrypts failure messages and stack traces, which may quote input.
func FailureConverter(keys *crypt.Keyring) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: DataConverter(keys), EncodeCommonAttributes: true,
	})
}
