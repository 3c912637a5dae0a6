package meshsim

// traffic is the sum of several loads as Envoy would count them after T seconds; every
// counter is rate × T, so rate() over any window returns the configured rate exactly.
type traffic struct {
	loads []load
	t     float64
}

// total sums f(edge) × share × T over the loads.
func (tr traffic) total(f func(e *Edge, p Protocol) float64) float64 {
	var v float64
	for _, l := range tr.loads {
		v += f(l.edge, l.proto) * l.share * tr.t
	}
	return v
}

// gauge sums f(edge) × share (a level, not a count).
func (tr traffic) gauge(f func(e *Edge, p Protocol) float64) float64 {
	var v float64
	for _, l := range tr.loads {
		v += f(l.edge, l.proto) * l.share
	}
	return v
}

func (tr traffic) requests() float64 {
	return tr.total(func(e *Edge, _ Protocol) float64 { return e.RPS })
}

func (tr traffic) requestsWith(share func(e *Edge) float64) float64 {
	return tr.total(func(e *Edge, _ Protocol) float64 { return e.RPS * share(e) })
}

func (tr traffic) class(c string) float64 {
	return tr.requestsWith(func(e *Edge) float64 { return e.StatusShare(c) })
}

// latency returns cumulative bucket counts and the duration sum (ms).
func (tr traffic) latency() (cumulative []float64, sum float64) {
	cumulative = make([]float64, len(EnvoyBucketsMs))
	for _, l := range tr.loads {
		n := l.edge.RPS * l.share * tr.t
		for i, c := range l.edge.Latency.CDF() {
			cumulative[i] += n * c
		}
		sum += n * l.edge.Latency.MeanMs()
	}
	return cumulative, sum
}

// fixedHistogram is a histogram whose distribution does not depend on traffic
// (connect times, connection lengths).
func fixedHistogram(l Latency, count float64) (cumulative []float64, sum float64) {
	return l.cumulativeCounts(EnvoyBucketsMs, count), count * l.MeanMs()
}
