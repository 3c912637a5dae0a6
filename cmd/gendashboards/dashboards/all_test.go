package dashboards

import "testing"

func TestUnescapeHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"a \u003e 0 \u0026\u0026 b \u003c 1"`, `"a > 0 && b < 1"`},
		{`"\\u003c stays text"`, `"\\u003c stays text"`},
		{`"\\\u003c"`, `"\\<"`},
		{`"\n\"\u00e9"`, `"\n\"\u00e9"`},
		{`"ends with \\"`, `"ends with \\"`},
	} {
		if got := string(unescapeHTML([]byte(tc.in))); got != tc.want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
