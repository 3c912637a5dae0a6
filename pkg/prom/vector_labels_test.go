package prom

// decodeVector is decodeAnswer keeping every label, for the tests that compare them
// with client_golang's.
func decodeVector(body []byte, maxSeries int) (envelope, bool) {
	return decodeAnswer(body, maxSeries, true)
}
