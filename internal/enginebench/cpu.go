package enginebench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CPU is the processor time the stack's processes have used, by role, so a benchmark can say
// what each case costs: which process a letter's intake spends its time in, against the floor.
type CPU map[string]time.Duration

// ReadCPU sums user+system time from /proc for the roles named: pids maps a role to one
// process; commands maps a role to every process whose command name is that (the Temporal
// dev server, PostgreSQL's backends).
func ReadCPU(pids map[string]int, commands map[string]string) CPU {
	out := CPU{}
	for role, pid := range pids {
		out[role] += procCPU(pid)
	}
	if len(commands) == 0 {
		return out
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		comm, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil {
			continue
		}
		for role, name := range commands {
			if strings.TrimSpace(string(comm)) == name {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				out[role] += procCPU(pid)
			}
		}
	}
	return out
}

// procCPU reads utime+stime of a process (including its reaped children, which for
// PostgreSQL's postmaster holds the time of backends that have exited).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after its closing parenthesis do not.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime (fields 14–17)
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// Add accumulates the CPU spent between two readings.
func (c CPU) Add(after, before CPU) {
	for r, d := range after {
		c[r] += d - before[r]
	}
}

// PerOp divides the accumulated CPU by n operations, role by role.
func (c CPU) PerOp(n int, roles ...string) string {
	if n <= 0 {
		return ""
	}
	var parts []string
	var total time.Duration
	for _, r := range roles {
		d := c[r] / time.Duration(n)
		total += d
		parts = append(parts, fmt.Sprintf("%s %s", r, ms(d)))
	}
	return fmt.Sprintf("%s (total %s)", strings.Join(parts, ", "), ms(total))
}
