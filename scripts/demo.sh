#!/usr/bin/env bash
# The demo stack: a simulated Kuma mesh (fake CP + Envoy metrics, examples/topologies/shop.yaml),
# a real Prometheus that already holds an hour of its history and keeps scraping it, and
# Grafana with this plugin provisioned: with Docker (docker-compose.yaml), else a Grafana
# installed on this machine (`grafana` or `grafana-server` on PATH, as Grafana's packages
# install them) with dist/ as the plugin and provisioning/, on a free port.
# Ctrl-C stops everything this script started.
#
# Environment: CP_ADDR (127.0.0.1:5681), PROM_ADDR (127.0.0.1:9090), TOPOLOGY (shop.yaml),
# KUMA_VERSION (2 or 3), HISTORY_MINUTES (60: backfilled metrics), SKIP_BUILD=1 (do not build the plugin),
# GRAFANA_HOME (the installed Grafana's home; found from the binary or /usr/share/grafana),
# GRAFANA_PORT (first port tried for a local Grafana: 3000).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cp_addr=${CP_ADDR:-127.0.0.1:5681}
prom_addr=${PROM_ADDR:-127.0.0.1:9090}
topology=${TOPOLOGY:-$root/examples/topologies/shop.yaml}
kuma_version=${KUMA_VERSION:-2}
history_minutes=${HISTORY_MINUTES:-60}
work=$(mktemp -d -t kuma-demo.XXXXXX)
pids=()
compose_started=

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m!!! %s\033[0m\n' "$*" >&2; }

cleanup() {
	trap - EXIT INT TERM
	say "stopping the demo"
	if [[ -n $compose_started ]]; then
		(cd "$root" && docker compose down) || true
	fi
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url what
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.2
	done
	warn "$2 did not answer on $1"
	return 1
}

install_prometheus() {
	command -v prometheus >/dev/null && command -v promtool >/dev/null && return 0
	say "installing Prometheus (Debian package prometheus)"
	local sudo=
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq prometheus
	# The package starts its own service on :9090 where an init system runs; the demo
	# runs its own Prometheus, so stop that one.
	$sudo systemctl stop prometheus 2>/dev/null || $sudo service prometheus stop 2>/dev/null || true
}

build_plugin() {
	[[ -n ${SKIP_BUILD:-} ]] && return 0
	say "building the plugin into dist/"
	if command -v npm >/dev/null; then
		(cd "$root" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm run build) || warn "front-end build failed (npm run build): Grafana will lack the front end"
	else
		warn "npm not found: front end not built"
	fi
	(cd "$root" && go tool mage -v build:backend) || warn "backend build failed (go tool mage -v build:backend)"
}

command -v go >/dev/null || { warn "Go is required"; exit 1; }
command -v curl >/dev/null || { warn "curl is required"; exit 1; }
install_prometheus
build_plugin

say "building the simulator"
(cd "$root" && go build -o "$work/meshsim" ./cmd/meshsim)

# One start time for the backfill and the live simulator, so counters continue.
start=$(date -u -d "@$(($(date +%s) - history_minutes * 60))" +%Y-%m-%dT%H:%M:%SZ)
say "backfilling $history_minutes minutes of metrics"
# Histogram bounds in the form this Prometheus' own scrapes store (3.x: le="1.0"), or every
# latency bucket splits in two where the history meets the live scrapes.
prom_version=$(prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p')
"$work/meshsim" --topology "$topology" --kuma-version "$kuma_version" --start "$start" \
	--backfill "$work/history.om" --backfill-duration "${history_minutes}m" --backfill-for "$prom_version"
promtool tsdb create-blocks-from openmetrics "$work/history.om" "$work/data" >/dev/null
rm "$work/history.om"

say "starting the simulated mesh on $cp_addr"
"$work/meshsim" --topology "$topology" --kuma-version "$kuma_version" --start "$start" \
	--listen "$cp_addr" --scrape-config "$work/prometheus.yml" &
pids+=($!)
wait_http "http://$cp_addr/" "the simulator"
# The recording rules the map reads for long ranges (README "Big meshes"). Prometheus records
# from now on, so maps over an hour or more read them once it has run that long.
printf 'rule_files:\n  - %s\n' "$root/prometheus/kuma-datasource-rules.yaml" >>"$work/prometheus.yml"

say "starting Prometheus on $prom_addr"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
	--storage.tsdb.retention.time=30d --web.listen-address="$prom_addr" --log.level=warn &
pids+=($!)
wait_http "http://$prom_addr/-/ready" "Prometheus"

cat <<INFO

  Kuma CP API (simulated):  http://$cp_addr        (Kuma $kuma_version, topology $(basename "$topology"))
  Scrape targets:           http://$cp_addr/sim/sd
  Prometheus:               http://$prom_addr
  Data directory:           $work

  Grafana provisioning for the data source (provisioning/datasources/kuma.yaml reads the same
  values from KUMA_CP_URL and PROMETHEUS_URL):

    apiVersion: 1
    datasources:
      - name: Kuma
        type: kumahq-kuma-datasource
        access: proxy
        url: http://$cp_addr
        jsonData:
          prometheusUrl: http://$prom_addr

INFO

# free_port prints the first port from $1 on that nothing on 127.0.0.1 listens to.
free_port() {
	local port=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$((port + 1))
	done
	echo "$port"
}

# grafana_home finds the installed Grafana's home (conf/defaults.ini, public/): GRAFANA_HOME,
# the tarball layout (<home>/bin/grafana), or where the Debian and RPM packages put it.
grafana_home() { # binary
	local bin_dir
	bin_dir=$(dirname "$(readlink -f "$1")")
	for home in "${GRAFANA_HOME:-}" "$bin_dir/.." /usr/share/grafana; do
		if [[ -n $home && -f $home/conf/defaults.ini ]]; then
			(cd "$home" && pwd)
			return 0
		fi
	done
	return 1
}

# start_local_grafana runs an installed Grafana with dist/ as the plugin, the repository's
# provisioning and its state in the demo's temporary directory.
start_local_grafana() { # binary
	local bin=$1 home port
	if ! home=$(grafana_home "$bin"); then
		warn "found $bin but not Grafana's home (conf/defaults.ini): set GRAFANA_HOME"
		return 1
	fi
	port=$(free_port "${GRAFANA_PORT:-3000}")
	# Grafana loads plugins from the directories inside its plugin path.
	mkdir -p "$work/grafana/plugins"
	ln -s "$root/dist" "$work/grafana/plugins/kumahq-kuma-datasource"
	local args=(--homepath "$home")
	# `grafana server` is the current command; `grafana-server` the one of older packages.
	[[ $(basename "$bin") == grafana ]] && args=(server "${args[@]}")
	say "starting Grafana ($bin) on http://127.0.0.1:$port"
	GF_PATHS_DATA="$work/grafana/data" GF_PATHS_LOGS="$work/grafana/logs" \
		GF_PATHS_PLUGINS="$work/grafana/plugins" GF_PATHS_PROVISIONING="$root/provisioning" \
		GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT="$port" \
		GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=kumahq-kuma-datasource \
		GF_AUTH_ANONYMOUS_ENABLED=true GF_AUTH_ANONYMOUS_ORG_ROLE=Admin \
		KUMA_CP_URL="http://$cp_addr" KUMA_CP_TOKEN="" PROMETHEUS_URL="http://$prom_addr" \
		KUMA_DASHBOARDS_DIR="$root/dist/dashboards" \
		"$bin" "${args[@]}" &
	pids+=($!)
}

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	say "starting Grafana (docker compose) on http://127.0.0.1:3000"
	compose_started=1
	(cd "$root" && KUMA_CP_URL="http://$cp_addr" PROMETHEUS_URL="http://$prom_addr" docker compose up) &
	pids+=($!)
elif grafana_bin=$(command -v grafana || command -v grafana-server); then
	start_local_grafana "$grafana_bin" || warn "Grafana not started: start it yourself with the provisioning above"
else
	warn "neither Docker nor Grafana found: install Docker (then docker compose runs Grafana) or Grafana"
	warn "(https://grafana.com/docs/grafana/latest/setup-grafana/installation/, e.g. the Debian package grafana),"
	warn "then run this script again; or start Grafana yourself with the provisioning above"
fi

say "running; Ctrl-C stops everything"
wait -n "${pids[@]}" || true
warn "a component exited; stopping"
