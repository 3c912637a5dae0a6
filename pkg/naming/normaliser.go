package naming

import (
	"fmt"
	"regexp"
)

// DefaultRollupRegEx is the community plugin's default: it folds the
// "_svc_<port>" tail of Kubernetes service names so that all ports of a
// service are one node.
const DefaultRollupRegEx = `(.*)(_svc(_[0-9]+)?)`

// Normaliser turns service names from any source (CP, source label,
// destination cluster) into one node key.
type Normaliser struct {
	rollup *regexp.Regexp
}

// NewNormaliser compiles the user's rollup expression. An empty expression
// disables rollup. The first capture group is kept when the expression
// matches; an expression without groups is refused because it could never
// roll anything up.
func NewNormaliser(rollupRegEx string) (Normaliser, error) {
	if rollupRegEx == "" {
		return Normaliser{}, nil
	}
	re, err := regexp.Compile(rollupRegEx)
	if err != nil {
		return Normaliser{}, fmt.Errorf("rollupRegEx: %w", err)
	}
	if re.NumSubexp() < 1 {
		return Normaliser{}, fmt.Errorf("rollupRegEx %q: needs a capture group for the kept part", rollupRegEx)
	}
	return Normaliser{rollup: re}, nil
}

// Service normalises one name: split suffix removed, then rolled up.
func (n Normaliser) Service(name string) string {
	name = StripSplitSuffix(name)
	if n.rollup == nil {
		return name
	}
	if m := n.rollup.FindStringSubmatch(name); m != nil && m[1] != "" {
		return m[1]
	}
	return name
}
