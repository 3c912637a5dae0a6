// Package bench measures the service map against the community plugin's query strategy
// (kumahq/kuma-grafana-datasource v0.1.1) on the same Prometheus: its twelve instant
// queries as a baseline, transports that count, record and replay Prometheus round
// trips, synthetic Prometheus answers for meshes too big to backfill, and the small
// statistics cmd/benchmap reports.
package bench
