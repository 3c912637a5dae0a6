package meshsim

import "strings"

// Scrape jobs of Kubernetes' own metrics (not Kuma's): the kubelets' cAdvisor and
// kube-state-metrics. The Service dashboard joins them to the service's pods.
const (
	JobCAdvisor         = "kubernetes-cadvisor"
	JobKubeStateMetrics = "kube-state-metrics"
)

const (
	pathCAdvisor         = "/sim/metrics/cadvisor"
	pathKubeStateMetrics = "/sim/metrics/kube-state-metrics"
)

// containerUsage is what each container of a Kubernetes pod uses, and its limits: the
// application, the sidecar (Kuma's default limits: 1 core, 512 MiB), and the pause
// container and pod cgroup that cAdvisor also reports, which a per-container query has
// to leave out (container="POD" and container=""); only real containers have limits.
var containerUsage = []struct {
	container               string
	cores                   float64 // CPU seconds per second
	memory                  float64 // working-set bytes
	coresLimit, memoryLimit float64
}{
	{"app", 0.05, 64e6, 0.5, 256 << 20},
	{"kuma-sidecar", 0.01, 32e6, 1, 512 << 20},
	{"POD", 0.0001, 1e6, 0, 0},
	{"", 0.0601, 97e6, 0, 0},
}

// PodUsage is what the containers (application and sidecar, without the pause
// container) of one simulated pod use and may use, for tests to compare with.
func PodUsage() (cores, memory, coresLimit, memoryLimit float64) {
	for _, c := range containerUsage[:2] {
		cores += c.cores
		memory += c.memory
		coresLimit += c.coresLimit
		memoryLimit += c.memoryLimit
	}
	return cores, memory, coresLimit, memoryLimit
}

// kubernetesTargets are a kubelet (cAdvisor) and kube-state-metrics reporting every
// pod of an online Kubernetes sidecar or gateway; universal dataplanes run in no pod. A dataplane
// on Kubernetes is named <pod>.<namespace>.
func (s *Sim) kubernetesTargets() []Target {
	var pods [][2]string
	for _, d := range s.model.Dataplanes {
		if ns := d.namespace(); d.Online && ns != "" {
			pods = append(pods, [2]string{strings.TrimSuffix(d.Name, "."+ns), ns})
		}
	}
	if len(pods) == 0 {
		return nil
	}
	cadvisor := func(t float64, common ...Label) *Families {
		f := NewFamilies(common...)
		for _, p := range pods {
			for _, c := range containerUsage {
				l := []Label{{"container", c.container}, {"namespace", p[1]}, {"pod", p[0]}}
				f.Counter("container_cpu_usage_seconds_total", c.cores*t, l...)
				f.Gauge("container_memory_working_set_bytes", c.memory, l...)
			}
		}
		return f
	}
	kubeState := func(_ float64, common ...Label) *Families {
		f := NewFamilies(common...)
		for _, p := range pods {
			for _, c := range containerUsage[:2] {
				l := []Label{{"container", c.container}, {"namespace", p[1]}, {"pod", p[0]}}
				f.Gauge("kube_pod_container_resource_limits", c.coresLimit, append(l, Label{"resource", "cpu"}, Label{"unit", "core"})...)
				f.Gauge("kube_pod_container_resource_limits", c.memoryLimit, append(l, Label{"resource", "memory"}, Label{"unit", "byte"})...)
			}
		}
		return f
	}
	return []Target{
		{Job: JobCAdvisor, Path: pathCAdvisor, Labels: []Label{{"instance", "kubelet:10250"}}, metrics: cadvisor, sim: s},
		{Job: JobKubeStateMetrics, Path: pathKubeStateMetrics, Labels: []Label{{"instance", "kube-state-metrics:8080"}}, metrics: kubeState, sim: s},
	}
}
