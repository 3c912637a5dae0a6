package meshsim

import "strings"

// JobCAdvisor is the scrape job of the kubelets' cAdvisor metrics (Kubernetes, not
// Kuma): the Service dashboard joins them to the service's pods.
const JobCAdvisor = "kubernetes-cadvisor"

const pathCAdvisor = "/sim/metrics/cadvisor"

// containerUsage is what each container of a Kubernetes pod uses: the application, the
// sidecar, and the pause container and pod cgroup that cAdvisor also reports, which a
// per-container query has to leave out (container="POD" and container="").
var containerUsage = []struct {
	container string
	cores     float64 // CPU seconds per second
	memory    float64 // working-set bytes
}{
	{"app", 0.05, 64e6},
	{"kuma-sidecar", 0.01, 32e6},
	{"POD", 0.0001, 1e6},
	{"", 0.0601, 97e6},
}

// PodUsage is what the containers (application and sidecar, without the pause
// container) of one simulated pod use, for tests to compare with.
func PodUsage() (cores, memory float64) {
	for _, c := range containerUsage[:2] {
		cores += c.cores
		memory += c.memory
	}
	return cores, memory
}

// cadvisorTargets is one target (a kubelet) for every pod of an online Kubernetes
// sidecar; universal dataplanes run in no pod. A dataplane on Kubernetes is named
// <pod>.<namespace>.
func (s *Sim) cadvisorTargets() []Target {
	var pods [][2]string
	for _, d := range s.model.Dataplanes {
		if d.Online && d.Service != nil && d.Service.Namespace != "" {
			pods = append(pods, [2]string{strings.TrimSuffix(d.Name, "."+d.Service.Namespace), d.Service.Namespace})
		}
	}
	if len(pods) == 0 {
		return nil
	}
	metrics := func(t float64, common ...Label) *Families {
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
	return []Target{{Job: JobCAdvisor, Path: pathCAdvisor, Labels: []Label{{"instance", "kubelet:10250"}}, metrics: metrics, sim: s}}
}
