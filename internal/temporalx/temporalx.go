// Package temporalx connects to Temporal the same way in the API, the worker and the tests:
// one place for client options, the metrics handler and the search attribute keys.
package temporalx

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	promexp "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	otelsdk "go.temporal.io/sdk/contrib/opentelemetry"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/internal/crypt"
)

// Search attributes registered on the dev server (see `dannguyen dev`); ops filter on them in
// the Temporal UI. Visibility on SQLite allows three per type, so the set stays small.
var (
	CaseKind   = temporal.NewSearchAttributeKeyKeyword("CaseKind")
	CaseStatus = temporal.NewSearchAttributeKeyKeyword("CaseStatus")
	BodyID     = temporal.NewSearchAttributeKeyKeyword("BodyID")
	DueAt      = temporal.NewSearchAttributeKeyTime("DueAt")
	Overdue    = temporal.NewSearchAttributeKeyBool("Overdue")
)

// SearchAttributeFlags returns the `--search-attribute` arguments for `temporal server start-dev`.
func SearchAttributeFlags() []string {
	return []string{
		"--search-attribute", "CaseKind=Keyword",
		"--search-attribute", "CaseStatus=Keyword",
		"--search-attribute", "BodyID=Keyword",
		"--search-attribute", "DueAt=Datetime",
		"--search-attribute", "Overdue=Bool",
	}
}

// DevServerTuning returns the dynamic-config arguments every dev server of ours starts with.
//
// The dev server keeps all workflows on one history shard, and each shard's task readers poll
// for new tasks at most 20 times a second (history.*ProcessorMaxPollRPS). A cluster spreads
// its cases over hundreds of shards, so one reader rarely waits; on one shard every activity
// and workflow task waited for the next 50 ms tick once a burst had used the limiter's slack:
// a one-activity workflow took 150 ms when run one at a time, an officer action 100 ms.
// Raising the limit gives the dev server the latency a cluster would have (36 ms for that
// workflow); throughput, bounded by the CPU, does not change.
//
// One partition per task queue, for the same reason: four partitions spread a busy queue over
// several matching hosts; on one host they only add forwarding hops, limited to ten a second.
func DevServerTuning() []string {
	return []string{
		"--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000",
		"--dynamic-config-value", "history.timerProcessorMaxPollRPS=1000",
		"--dynamic-config-value", "history.visibilityProcessorMaxPollRPS=1000",
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
	}
}

// SearchAttributes returns the same set for testsuite.DevServerOptions.
func SearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		CaseKind.ValueSet(""), CaseStatus.ValueSet(""), BodyID.ValueSet(""),
		DueAt.ValueSet(zeroTime), Overdue.ValueSet(false),
	)
}

var (
	metricsOnce    sync.Once
	metricsHandler client.MetricsHandler
	metricsErr     error
)

// MetricsHandler exports the SDK's client and worker metrics to the default Prometheus
// registry, so the process's /metrics shows them next to the HTTP metrics.
func MetricsHandler() (client.MetricsHandler, error) {
	metricsOnce.Do(func() {
		exp, err := promexp.New()
		if err != nil {
			metricsErr = fmt.Errorf("prometheus exporter: %w", err)
			return
		}
		provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
		metricsHandler = otelsdk.NewMetricsHandler(otelsdk.MetricsHandlerOptions{
			Meter:                provider.Meter("temporal-sdk-go"),
			UseMonotonicCounters: true,
			OnError:              func(err error) { slog.Warn("temporal metric not recorded", "err", err) },
		})
	})
	return metricsHandler, metricsErr
}

// Options are the connection settings.
type Options struct {
	Address     string
	Namespace   string
	Logger      *slog.Logger
	PayloadKeys *crypt.Keyring
}

// Dial connects lazily: the client is returned even when the server is down, and calls fail
// until it is up. That lets the API start (and say 503 on /readyz) before Temporal does.
func Dial(ctx context.Context, o Options) (client.Client, error) {
	mh, err := MetricsHandler()
	if err != nil {
		return nil, err
	}
	if o.PayloadKeys == nil {
		return nil, fmt.Errorf("temporal client: no payload keys")
	}
	lg := o.Logger
	if lg == nil {
		lg = slog.Default()
	}
	c, err := client.NewLazyClient(client.Options{
		HostPort:         o.Address,
		Namespace:        o.Namespace,
		Logger:           sdklog.NewStructuredLogger(lg.With("component", "temporal")),
		MetricsHandler:   mh,
		DataConverter:    DataConverter(o.PayloadKeys),
		FailureConverter: FailureConverter(o.PayloadKeys),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal client for %s: %w", o.Address, err)
	}
	return c, nil
}
