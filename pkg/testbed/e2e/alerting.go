package e2e

import (
	"errors"
	"fmt"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// This file models what Grafana's alerting (server-side expressions) makes of a query's
// frames (../shared/grafana-facts.md, Alerting): data-plane typed frames — meta.type
// numeric-* or timeseries-* with meta.typeVersion above 0.0 — become one instance per
// number or series, labelled by its labels; a table with exactly one numeric column
// becomes one instance per row; anything else fails with "input data must be a wide
// series". Two instances with one label set are ambiguous and fail the rule.

// AlertInstance is one number (or series) an alert rule's condition is evaluated on.
type AlertInstance struct {
	Labels data.Labels
	// Values are the series' points; an instant number has one.
	Values []*float64
}

// ErrNotWideSeries is alerting's refusal of frames it cannot read.
var ErrNotWideSeries = errors.New("input data must be a wide series")

// AlertInstances reads frames as alerting does.
func AlertInstances(frames data.Frames) ([]AlertInstance, error) {
	if len(frames) == 0 {
		return nil, nil // no data
	}
	meta := frames[0].Meta
	if meta == nil || meta.TypeVersion == (data.FrameTypeVersion{}) {
		return nil, ErrNotWideSeries // a node graph, or an untyped frame: not what we answer alerting with
	}
	var out []AlertInstance
	var err error
	switch meta.Type {
	case data.FrameTypeNumericLong:
		if len(frames) != 1 {
			return nil, fmt.Errorf("numeric-long is one frame, got %d", len(frames))
		}
		out, err = numericLong(frames[0])
	case data.FrameTypeTimeSeriesMulti:
		out, err = timeseriesMulti(frames)
	default:
		return nil, fmt.Errorf("%w: frame type %q", ErrNotWideSeries, meta.Type)
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, in := range out {
		if key := in.Labels.String(); seen[key] {
			return nil, fmt.Errorf("two instances labelled %s", key)
		} else {
			seen[key] = true
		}
	}
	return out, nil
}

// numericLong: every row of every numeric field is one number, its labels the row's
// string columns.
func numericLong(f *data.Frame) ([]AlertInstance, error) {
	var labelFields, numbers []*data.Field
	for _, field := range f.Fields {
		switch {
		case field.Type() == data.FieldTypeString || field.Type() == data.FieldTypeNullableString:
			labelFields = append(labelFields, field)
		case field.Type().Numeric():
			numbers = append(numbers, field)
		default:
			return nil, fmt.Errorf("numeric-long field %q of type %s", field.Name, field.Type())
		}
	}
	if len(numbers) == 0 {
		return nil, errors.New("numeric-long frame without a number")
	}
	var out []AlertInstance
	for _, num := range numbers {
		for row := range f.Rows() {
			labels := data.Labels{}
			for _, lf := range labelFields {
				if s, ok := lf.ConcreteAt(row); ok {
					labels[lf.Name] = s.(string)
				}
			}
			if len(numbers) > 1 {
				labels["__name__"] = num.Name
			}
			v, _ := num.NullableFloatAt(row)
			out = append(out, AlertInstance{Labels: labels, Values: []*float64{v}})
		}
	}
	return out, nil
}

// timeseriesMulti: every frame is one time field and one numeric field with labels.
func timeseriesMulti(frames data.Frames) ([]AlertInstance, error) {
	var out []AlertInstance
	for _, f := range frames {
		if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			return nil, errors.New("timeseries-multi frames of mixed types")
		}
		if len(f.Fields) != 2 || f.Fields[0].Type() != data.FieldTypeTime || !f.Fields[1].Type().Numeric() {
			if f.Rows() == 0 {
				continue // an empty typed frame is no data
			}
			return nil, fmt.Errorf("timeseries-multi frame %q is not one time and one number field", f.Name)
		}
		if f.Rows() == 0 {
			continue
		}
		num := f.Fields[1]
		values := make([]*float64, 0, f.Rows())
		for row := range f.Rows() {
			v, _ := num.NullableFloatAt(row)
			values = append(values, v)
		}
		out = append(out, AlertInstance{Labels: num.Labels.Copy(), Values: slices.Clip(values)})
	}
	return out, nil
}
