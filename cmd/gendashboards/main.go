// Command gendashboards writes the plugin's dashboards (pkg/dashboards) to a directory,
// dashboards/ by default: go run ./cmd/gendashboards.
package main

import (
	"flag"
	"log"

	"github.com/kumahq/kuma-grafana-datasource/cmd/gendashboards/dashboards"
)

func main() {
	dir := flag.String("out", "dashboards", "directory to write the dashboard JSON files to")
	flag.Parse()
	if err := dashboards.Write(*dir); err != nil {
		log.Fatal(err)
	}
}
