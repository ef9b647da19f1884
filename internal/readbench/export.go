package readbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"time"
)

// ExportResult is one whole-list export through the HTTP handler.
type ExportResult struct {
	Format   string
	Duration time.Duration
	Bytes    int64
	// PeakHeap is the largest live heap seen while the export ran, sampled every 20 ms;
	// BaseHeap is the heap before it started. A streaming export keeps the difference flat
	// whatever the number of rows.
	PeakHeap, BaseHeap uint64
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// MeasureExport downloads GET /v1/letters?<query>&format=<format> to io.Discard and samples
// the heap meanwhile.
func MeasureExport(ctx context.Context, h http.Handler, query, format string) (ExportResult, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	r := ExportResult{Format: format, BaseHeap: heapBytes()}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if b := heapBytes(); b > peak.Load() {
				peak.Store(b)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/letters?"+query+"&format="+format, nil)
	if err != nil {
		return r, err
	}
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		r.Bytes, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err == nil && res.StatusCode != 200 {
			err = fmt.Errorf("export %s: status %d", format, res.StatusCode)
		}
	}
	r.Duration = time.Since(start)
	close(stop)
	<-done
	r.PeakHeap = peak.Load()
	return r, err
}

// TimeGET runs GET path n times through the handler and returns the median duration.
func TimeGET(ctx context.Context, h http.Handler, path string, n int) (time.Duration, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	var times []time.Duration
	for range n {
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
		if err != nil {
			return 0, err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			return 0, err
		}
		if res.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}
