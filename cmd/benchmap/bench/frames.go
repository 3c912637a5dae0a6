package bench

import (
	"fmt"
	"math"
	"reflect"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// SameFrames reports the first difference between two answers. Floats may differ by a
// relative tol: a map sums many samples, and Prometheus returns the series of a
// "sum by" in no fixed order, so two correct answers can differ in the last bits.
func SameFrames(a, b data.Frames, tol float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d frames, want %d", len(b), len(a))
	}
	for i := range a {
		fa, fb := a[i], b[i]
		if fa.Name != fb.Name || len(fa.Fields) != len(fb.Fields) || !reflect.DeepEqual(fa.Meta, fb.Meta) {
			return fmt.Errorf("frame %d (%s): name, fields or meta differ", i, fa.Name)
		}
		for j := range fa.Fields {
			x, y := fa.Fields[j], fb.Fields[j]
			if x.Name != y.Name || x.Len() != y.Len() || x.Type() != y.Type() || !reflect.DeepEqual(x.Config, y.Config) {
				return fmt.Errorf("frame %s field %s: name, length, type or config differ", fa.Name, x.Name)
			}
			for k := range x.Len() {
				u, v := x.At(k), y.At(k)
				if !sameValue(u, v, tol) {
					return fmt.Errorf("frame %s field %s row %d: %v, want %v", fa.Name, x.Name, k, v, u)
				}
			}
		}
	}
	return nil
}

func sameValue(u, v any, tol float64) bool {
	if p, ok := u.(*float64); ok {
		q := v.(*float64)
		if p == nil || q == nil {
			return p == q
		}
		u, v = *p, *q
	}
	if x, ok := u.(float64); ok {
		y := v.(float64)
		return x == y || (math.IsNaN(x) && math.IsNaN(y)) || math.Abs(x-y) <= tol*max(math.Abs(x), math.Abs(y))
	}
	return reflect.DeepEqual(u, v)
}
