package safe

import (
	"errors"
	"strings"
	"testing"
)

func TestDo(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		fn      func() (int, error)
		want    int
		wantErr error
	}{
		{name: "value", fn: func() (int, error) { return 7, nil }, want: 7},
		{name: "error passes through", fn: func() (int, error) { return 0, boom }, wantErr: boom},
		{name: "nil dereference", fn: func() (int, error) { var p *struct{ n int }; return p.n, nil }, wantErr: ErrPanic},
		{name: "panic with an error", fn: func() (int, error) { panic(boom) }, wantErr: ErrPanic},
		{name: "panic with a secret string", fn: func() (int, error) { panic("token=s3cret") }, wantErr: ErrPanic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Do("a query", tt.fn)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Do = %d, %v; want %d, %v", got, err, tt.want, tt.wantErr)
			}
			if errors.Is(err, ErrPanic) && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("message %q quotes the panic", err)
			}
		})
	}
}

func TestRun(t *testing.T) {
	if err := Run("resource", func() error { panic("x") }); !errors.Is(err, ErrPanic) {
		t.Fatalf("Run = %v", err)
	}
	if err := Run("resource", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}
