// Package enginebench measures what the Temporal engine allows on this machine (the floor:
// bare workflows with one activity, bare Update round trips) and what the product achieves on
// the same server (letter intake and officer actions through the API, worker memory with many
// open letters, a calendar change over thousands of them), so each product figure can be read
// as a ratio to the floor.
package enginebench

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
)

const (
	floorWorkflowName  = "BenchFloorWorkflow"
	floorActivityName  = "BenchFloorActivity"
	updateWorkflowName = "BenchUpdateWorkflow"
	pingUpdate         = "ping"
)

// FloorWorkflow is the least a case can be: start, one activity, complete.
func FloorWorkflow(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out int
	err := workflow.ExecuteActivity(ctx, floorActivityName, n).Get(ctx, &out)
	return out, err
}

// FloorActivity does nothing, so the workflow measures the engine alone.
func FloorActivity(_ context.Context, n int) (int, error) { return n + 1, nil }

// UpdateWorkflow answers a bare Update until it is cancelled: the floor of an officer action.
func UpdateWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, pingUpdate, func(_ workflow.Context, n int) (int, error) { return n, nil }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// Registry is what a worker offers to register the floor workflows on.
type Registry interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}

// Register adds the floor workflows and activity.
func Register(r Registry) {
	r.RegisterWorkflowWithOptions(FloorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
	r.RegisterWorkflowWithOptions(UpdateWorkflow, workflow.RegisterOptions{Name: updateWorkflowName})
	r.RegisterActivityWithOptions(FloorActivity, activity.RegisterOptions{Name: floorActivityName})
}

// Latencies is a sorted sample of durations.
type Latencies []time.Duration

// Pct returns the p-th percentile (0–100).
func (l Latencies) Pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

func (l Latencies) String() string {
	return fmt.Sprintf("p50 %s  p99 %s", ms(l.Pct(50)), ms(l.Pct(99)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// Throughput is a timed batch: how many per second, and each one's latency.
type Throughput struct {
	N       int
	Elapsed time.Duration
	Lat     Latencies
	Errors  int
}

// PerSecond is the batch's rate.
func (t Throughput) PerSecond() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.N-t.Errors) / t.Elapsed.Seconds()
}

// Merge adds another batch of the same measurement: rates add their counts and times,
// latencies pool their samples.
func (t Throughput) Merge(o Throughput) Throughput {
	t.N += o.N
	t.Elapsed += o.Elapsed
	t.Errors += o.Errors
	t.Lat = append(append(Latencies{}, t.Lat...), o.Lat...)
	sort.Slice(t.Lat, func(i, j int) bool { return t.Lat[i] < t.Lat[j] })
	return t
}

// parallel runs fn for 0..n-1 with c in flight and times each call.
func parallel(n, c int, fn func(i int) error) Throughput {
	lat := make([]time.Duration, n)
	errs := make([]bool, n)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				errs[i] = fn(i) != nil
				lat[i] = time.Since(t0)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	t := Throughput{N: n, Elapsed: time.Since(start)}
	for i := range lat {
		if errs[i] {
			t.Errors++
			continue
		}
		t.Lat = append(t.Lat, lat[i])
	}
	sort.Slice(t.Lat, func(a, b int) bool { return t.Lat[a] < t.Lat[b] })
	return t
}

// RunFloorWorkflows starts n floor workflows on taskQueue, c at a time, each waited to its end.
func RunFloorWorkflows(ctx context.Context, tc client.Client, taskQueue string, n, c int) Throughput {
	prefix := "bench-floor-" + uuid.NewString()[:8]
	return parallel(n, c, func(i int) error {
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", prefix, i), TaskQueue: taskQueue}, floorWorkflowName, i)
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	})
}

// RunBareUpdates sends n Updates, one at a time, to one UpdateWorkflow and times each round
// trip (sent, accepted, completed), then ends the workflow.
func RunBareUpdates(ctx context.Context, tc client.Client, taskQueue string, n int) (Throughput, error) {
	ping, stop, err := startBareUpdates(ctx, tc, taskQueue)
	if err != nil {
		return Throughput{}, err
	}
	defer stop()
	return parallel(n, 1, ping), nil
}

// RunUpdatesAndActions alternates a bare Update and an officer action on ids[i], one at a
// time, so both samples see the same machine: a burst of the server's own housekeeping or of
// a neighbour slows both, not only the one measured at that moment.
func RunUpdatesAndActions(ctx context.Context, tc client.Client, taskQueue string, a *API, ids []string) (bare, actions Throughput, err error) {
	ping, stop, err := startBareUpdates(ctx, tc, taskQueue)
	if err != nil {
		return bare, actions, err
	}
	defer stop()
	var bareLat, actLat Latencies
	for i, id := range ids {
		for _, m := range []struct {
			t   *Throughput
			lat *Latencies
			fn  func() error
		}{{&bare, &bareLat, func() error { return ping(i) }}, {&actions, &actLat, func() error { return a.action(ctx, id, i) }}} {
			t0 := time.Now()
			err := m.fn()
			d := time.Since(t0)
			m.t.N++
			m.t.Elapsed += d
			if err != nil {
				m.t.Errors++
				continue
			}
			*m.lat = append(*m.lat, d)
		}
	}
	sort.Slice(bareLat, func(i, j int) bool { return bareLat[i] < bareLat[j] })
	sort.Slice(actLat, func(i, j int) bool { return actLat[i] < actLat[j] })
	bare.Lat, actions.Lat = bareLat, actLat
	return bare, actions, nil
}

// startBareUpdates starts an UpdateWorkflow and returns a function sending it one Update and
// waiting for its completion, and one ending the workflow.
func startBareUpdates(ctx context.Context, tc client.Client, taskQueue string) (func(i int) error, func(), error) {
	id := "bench-update-" + uuid.NewString()[:8]
	if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, updateWorkflowName); err != nil {
		return nil, nil, err
	}
	ping := func(i int) error {
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: pingUpdate,
			Args: []any{i}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	stop := func() { _ = tc.TerminateWorkflow(context.Background(), id, "", "benchmark done") }
	return ping, stop, nil
}
