package kuma

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Uint64 is a uint64 counter. The CP encodes uint64 as a JSON string (protobuf JSON
// mapping), for example "responsesSent": "3"; it decodes from a string or a number and
// always encodes as a string so that fakes answer in the CP's shape.
type Uint64 uint64

// MarshalJSON writes the counter as a quoted decimal, as the CP does.
func (u Uint64) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(strconv.FormatUint(uint64(u), 10))), nil
}

// UnmarshalJSON accepts "12" and 12.
func (u *Uint64) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("uint64 counter %s: %w", b, err)
	}
	*u = Uint64(v)
	return nil
}

// Timestamp keeps the CP's time text unchanged. The CP writes resource times with Go's
// RFC3339Nano (trailing zeros dropped) and insight times with protobuf's 0/3/6/9 digit
// fractions, so re-formatting a time.Time would not reproduce what the CP sent.
type Timestamp string

// NewTimestamp formats t the way the CP formats resource times.
func NewTimestamp(t time.Time) Timestamp {
	return Timestamp(t.UTC().Format(time.RFC3339Nano))
}

// Time parses the timestamp; the zero Timestamp gives the zero time and no error.
func (t Timestamp) Time() (time.Time, error) {
	if t == "" {
		return time.Time{}, nil
	}
	v, err := time.Parse(time.RFC3339Nano, string(t))
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", string(t), err)
	}
	return v, nil
}

// IntOrString is a port that Kubernetes may give by name ("http") and universal mode
// by number; decoding must not fail on either.
type IntOrString struct {
	Int int
	Str string
}

// MarshalJSON writes the name if set, else the number.
func (p IntOrString) MarshalJSON() ([]byte, error) {
	if p.Str != "" {
		return json.Marshal(p.Str)
	}
	return json.Marshal(p.Int)
}

// UnmarshalJSON accepts a number or a string.
func (p *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Str)
	}
	return json.Unmarshal(b, &p.Int)
}
