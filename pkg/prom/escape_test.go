package prom

import "testing"

func TestEqual(t *testing.T) {
	tests := []struct{ value, want string }{
		{"default", `mesh="default"`},
		{`a"b`, `mesh="a\"b"`},
		{`a\b`, `mesh="a\\b"`},
		{"x\"} or up{y=\"", `mesh="x\"} or up{y=\""`},
		{"line\nbreak", `mesh="line\nbreak"`},
		{"{}`'", "mesh=\"{}`'\""},
	}
	for _, tt := range tests {
		if got := Equal("mesh", tt.value); got != tt.want {
			t.Errorf("Equal(%q) = %s, want %s", tt.value, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		re, want string
		wantErr  bool
	}{
		{`^back.*`, `kuma_io_service=~"^back.*"`, false},
		{`a\.b|"c"`, `kuma_io_service=~"a\\.b|\"c\""`, false},
		{"x\"} or vector(1) #", `kuma_io_service=~"x\"} or vector(1) #"`, false},
		{`(unclosed`, "", true},
		{`a(?=b)`, "", true}, // lookahead is not RE2
		{`\8`, "", true},
	}
	for _, tt := range tests {
		got, err := Match("kuma_io_service", tt.re)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Match(%q) = %s, %v; want %s, error %v", tt.re, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMatchAny(t *testing.T) {
	tests := []struct {
		values      []string
		allowAbsent bool
		want        string
	}{
		{[]string{"zone-1"}, false, `zone=~"zone-1"`},
		{[]string{"zone.1", `z|"2"`}, false, `zone=~"zone\\.1|z\\|\"2\""`},
		{[]string{"zone-1", "zone-2"}, true, `zone=~"zone-1|zone-2|"`},
		{[]string{"a\nb", "(x)"}, false, `zone=~"a\nb|\\(x\\)"`},
	}
	for _, tt := range tests {
		if got := MatchAny("zone", tt.values, tt.allowAbsent); got != tt.want {
			t.Errorf("MatchAny(%q, %v) = %s, want %s", tt.values, tt.allowAbsent, got, tt.want)
		}
	}
}
