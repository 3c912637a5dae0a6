package plugin

// SetMaxPrometheusBodyBytes lets a test use a small answer cap for the data sources it
// creates next; it returns the previous cap.
func SetMaxPrometheusBodyBytes(n int64) int64 {
	old := maxPrometheusBodyBytes
	maxPrometheusBodyBytes = n
	return old
}
