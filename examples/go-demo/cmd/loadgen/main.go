// Command loadgen sends checkout requests to the frontend and prints, one
// line per request, the trace ID it caused (from the X-Trace-Id response
// header), the HTTP status, the latency and the URL:
//
//	4bf92f3577b34da6a3ce929d0e0e4736 200 23.1ms http://localhost:8080/checkout?item=book&customer=c-1
//
// A summary goes to stderr. It exits 1 when a request got no answer at all
// (HTTP errors, such as the 500s of item "broken", are expected traffic).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 20, "number of requests")
	rate := flag.Float64("rate", 10, "requests per second")
	target := flag.String("url", "http://localhost:8080/checkout", "checkout URL")
	items := flag.String("items", "book,pen,lamp,book,pen,broken", "items to cycle through")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout")
	flag.Parse()
	log.SetPrefix("loadgen: ")
	log.SetFlags(0)
	if *n < 0 || *rate <= 0 {
		log.Fatal("-n must be ≥ 0 and -rate > 0")
	}
	base, err := url.Parse(*target)
	if err != nil {
		log.Fatalf("-url: %v", err)
	}
	itemList := strings.Split(*items, ",")

	client := &http.Client{Timeout: *timeout}
	results := make([]result, *n)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer tick.Stop()
	start := time.Now()
	for i := range *n {
		if i > 0 {
			<-tick.C
		}
		u := *base
		q := u.Query()
		if !q.Has("item") {
			q.Set("item", itemList[i%len(itemList)])
		}
		if !q.Has("customer") {
			q.Set("customer", fmt.Sprintf("c-%d", i%7+1))
		}
		u.RawQuery = q.Encode()
		wg.Go(func() { results[i] = get(client, u.String()) })
	}
	wg.Wait()

	byStatus := map[int]int{}
	unanswered := 0
	for _, r := range results {
		if r.err != nil {
			unanswered++
			fmt.Printf("- ERR %v %s: %v\n", r.latency.Round(100*time.Microsecond), r.url, r.err)
			continue
		}
		byStatus[r.status]++
		traceID := r.traceID
		if traceID == "" {
			traceID = "-"
		}
		fmt.Printf("%s %d %v %s\n", traceID, r.status, r.latency.Round(100*time.Microsecond), r.url)
	}
	log.Printf("%d requests in %v: by status %v, %d unanswered", *n, time.Since(start).Round(time.Millisecond), byStatus, unanswered)
	if unanswered > 0 {
		os.Exit(1)
	}
}

type result struct {
	url     string
	status  int
	traceID string
	latency time.Duration
	err     error
}

func get(client *http.Client, u string) result {
	start := time.Now()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		return result{url: u, err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{url: u, latency: time.Since(start), err: err}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return result{url: u, status: resp.StatusCode, traceID: resp.Header.Get("X-Trace-Id"), latency: time.Since(start)}
}
