// pprof_cpu: a CPU-bound Go program that writes its own CPU profile with
// runtime/pprof, so that tests/tools/pprof_check_test.py has a pprof file
// made by Go itself to check tests/tools/pprof-check.py on. The work runs
// under the label comm=pprof_cpu (pprof.Do), which -traces prints.
// usage: pprof_cpu PROFILE.pb.gz
package main

import (
	"context"
	"os"
	"runtime/pprof"
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:noinline
func leafA(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

//go:noinline
func leafB(n int) int {
	s := 1
	for i := 0; i < n; i++ {
		s = s*31 + i
	}
	return s
}

//go:noinline
func middle(n int) int { return leafA(n) + leafB(n/2) }

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	x := 0
	labels := pprof.Labels("comm", "pprof_cpu")
	pprof.Do(context.Background(), labels, func(context.Context) {
		// 0.5 s of CPU time at pprof's 100 Hz: about 50 samples, with
		// leafA, leafB and middle in them, however busy the machine (0.5 s
		// of wall time gave as few as 10 samples on a loaded machine, and
		// sometimes none in leafB)
		for end := cpuTime() + 500*time.Millisecond; cpuTime() < end; {
			x += middle(100000) + leafB(50000)
		}
	})
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
	os.Exit(x & 0)
}
