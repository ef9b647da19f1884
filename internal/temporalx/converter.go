package temporalx

import (
	"time"

	"go.temporal.io/sdk/converter"
)

var zeroTime = time.Unix(0, 0).UTC()

// DataConverter is the converter shared by clients and workers. Payload encryption (so the
// Temporal UI and history hold no personal data) plugs in here as a codec.
func DataConverter() converter.DataConverter {
	return converter.GetDefaultDataConverter()
}
