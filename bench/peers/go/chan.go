// Go channels on crossbeam-channel's benchmark workloads (its
// benchmarks/go.go): MESSAGES = 5_000_000 one-word messages, THREADS = 4,
// over bounded(0), bounded(1) and bounded(MESSAGES). Go has no unbounded
// channel, so the unbounded flavor is not run.
//
// One deliberate difference from crossbeam's go.go: there, select_both's
// producers send with a plain `c <- m` to a channel of their own; here they
// select over all channels' sends, as the Rust crossbeam-channel workload
// (and ferrite's) does, so that every select_both row measures the same
// shape.
//
//	go-chan [--messages N] [--threads N] [FILTER...]
//
// A FILTER is a substring of `<flavor>_<workload>`; a run is kept when any
// filter matches, or when there is none. Each run prints one line,
// `<flavor>_<workload> go-chan <seconds>`. Go's select needs its cases
// written out, so the select workloads run at --threads 4 only (they are
// skipped, with a note on stderr, at any other count).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const implementation = "go-chan"

// message is one machine word, like crossbeam's go.go.
type message = uintptr

type config struct {
	messages int
	threads  int
	filters  []string
}

func (c *config) perThread() int { return c.messages / c.threads }
func (c *config) total() int     { return c.perThread() * c.threads }

func usage(problem string) {
	if problem != "" {
		fmt.Fprintln(os.Stderr, "error:", problem)
	}
	fmt.Fprintf(os.Stderr, "usage: %s [--messages N] [--threads N] [FILTER...]\n", os.Args[0])
	if problem != "" {
		os.Exit(2)
	}
	os.Exit(0)
}

func parseArgs() *config {
	c := &config{messages: 5000000, threads: 4}
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--messages" || arg == "--threads":
			if i+1 >= len(args) {
				usage(arg + " needs a value")
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n <= 0 {
				usage(arg + " wants a positive integer, not " + strconv.Quote(args[i]))
			}
			if arg == "--messages" {
				c.messages = n
			} else {
				c.threads = n
			}
		case arg == "-h" || arg == "--help":
			usage("")
		case strings.HasPrefix(arg, "-"):
			usage("unknown option " + arg)
		default:
			c.filters = append(c.filters, arg)
		}
	}
	return c
}

func (c *config) wants(name string) bool {
	if len(c.filters) == 0 {
		return true
	}
	for _, f := range c.filters {
		if strings.Contains(name, f) {
			return true
		}
	}
	return false
}

// run times one workload on a fresh set of channels of capacity capacity.
func (c *config) run(flavor string, workload string, capacity int, body func(*config, int)) {
	name := flavor + "_" + workload
	if !c.wants(name) {
		return
	}
	start := time.Now()
	body(c, capacity)
	fmt.Printf("%s %s %.6f\n", name, implementation, time.Since(start).Seconds())
}

// seq: one goroutine sends every message, then receives them all.
func seq(c *config, capacity int) {
	ch := make(chan message, capacity)
	for i := 0; i < c.total(); i++ {
		ch <- message(i)
	}
	consume(ch, c.total())
}

// produce sends count messages on ch, then marks itself done.
func produce(ch chan message, count int, done *sync.WaitGroup) {
	defer done.Done()
	for i := 0; i < count; i++ {
		ch <- message(i)
	}
}

// consume receives count messages from ch.
func consume(ch chan message, count int) {
	for i := 0; i < count; i++ {
		<-ch
	}
}

// toMain: producers goroutines each send count messages, the main goroutine
// receives them all.
func toMain(capacity, producers, count int) {
	ch := make(chan message, capacity)
	var done sync.WaitGroup
	done.Add(producers)
	for t := 0; t < producers; t++ {
		go produce(ch, count, &done)
	}
	consume(ch, producers*count)
	done.Wait()
}

// spsc: one producer goroutine, the main goroutine receives.
func spsc(c *config, capacity int) {
	toMain(capacity, 1, c.total())
}

// mpsc: threads producers, the main goroutine receives.
func mpsc(c *config, capacity int) {
	toMain(capacity, c.threads, c.perThread())
}

// mpmc: threads producers and threads consumers on one channel.
func mpmc(c *config, capacity int) {
	ch := make(chan message, capacity)
	var done sync.WaitGroup
	done.Add(2 * c.threads)
	for t := 0; t < c.threads; t++ {
		go produce(ch, c.perThread(), &done)
	}
	for t := 0; t < c.threads; t++ {
		go func() {
			defer done.Done()
			consume(ch, c.perThread())
		}()
	}
	done.Wait()
}

func fourChannels(capacity int) (chan message, chan message, chan message, chan message) {
	return make(chan message, capacity), make(chan message, capacity),
		make(chan message, capacity), make(chan message, capacity)
}

// receiveAny receives one message from whichever of the four is ready.
func receiveAny(c0, c1, c2, c3 chan message) {
	select {
	case <-c0:
	case <-c1:
	case <-c2:
	case <-c3:
	}
}

// select_rx: one producer per channel; the main goroutine receives every
// message with a select over the four channels.
func selectRx(c *config, capacity int) {
	c0, c1, c2, c3 := fourChannels(capacity)
	var done sync.WaitGroup
	done.Add(4)
	for _, ch := range []chan message{c0, c1, c2, c3} {
		go produce(ch, c.perThread(), &done)
	}
	for i := 0; i < c.total(); i++ {
		receiveAny(c0, c1, c2, c3)
	}
	done.Wait()
}

// select_both: four producers each send with a select over the four
// channels, four consumers each receive with a select over them.
func selectBoth(c *config, capacity int) {
	c0, c1, c2, c3 := fourChannels(capacity)
	var done sync.WaitGroup
	done.Add(8)
	for t := 0; t < 4; t++ {
		go func() {
			defer done.Done()
			for i := 0; i < c.perThread(); i++ {
				m := message(i)
				select {
				case c0 <- m:
				case c1 <- m:
				case c2 <- m:
				case c3 <- m:
				}
			}
		}()
	}
	for t := 0; t < 4; t++ {
		go func() {
			defer done.Done()
			for i := 0; i < c.perThread(); i++ {
				receiveAny(c0, c1, c2, c3)
			}
		}()
	}
	done.Wait()
}

func main() {
	c := parseArgs()
	if c.threads != 4 {
		fmt.Fprintf(os.Stderr, "go-chan: select_rx and select_both are written for 4 threads; skipped at --threads %d\n", c.threads)
	}
	flavors := []struct {
		name     string
		capacity int
	}{{"bounded0", 0}, {"bounded1", 1}, {"boundedN", c.messages}}
	for _, f := range flavors {
		c.run(f.name, "mpmc", f.capacity, mpmc)
		c.run(f.name, "mpsc", f.capacity, mpsc)
		if c.threads == 4 {
			c.run(f.name, "select_both", f.capacity, selectBoth)
			c.run(f.name, "select_rx", f.capacity, selectRx)
		}
		if f.capacity >= c.total() {
			c.run(f.name, "seq", f.capacity, seq)
		}
		c.run(f.name, "spsc", f.capacity, spsc)
	}
}
