// Package frames turns CP inventories and service-map graphs into Grafana data frames.
package frames

import (
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column declares one field of a table frame: its name, display name, unit and the
// per-row value. Tables are built from a list of columns so every frame gets typed fields
// with display names the same way.
type column[T any] struct {
	name, display, unit string
	text                func(T) string
	number              func(T) int64
	flag                func(T) bool
}

func textColumn[T any](name, display string, v func(T) string) column[T] {
	return column[T]{name: name, display: display, text: v}
}

func countColumn[T any](name, display string, v func(T) int64) column[T] {
	return column[T]{name: name, display: display, unit: "none", number: v}
}

func flagColumn[T any](name, display string, v func(T) bool) column[T] {
	return column[T]{name: name, display: display, flag: v}
}

// table builds a frame with one field per column and one row per item.
func table[T any](frameName string, items []T, columns []column[T]) *data.Frame {
	fields := make([]*data.Field, 0, len(columns))
	for _, c := range columns {
		var f *data.Field
		switch {
		case c.text != nil:
			vals := make([]string, len(items))
			for i, it := range items {
				vals[i] = c.text(it)
			}
			f = data.NewField(c.name, nil, vals)
		case c.number != nil:
			vals := make([]int64, len(items))
			for i, it := range items {
				vals[i] = c.number(it)
			}
			f = data.NewField(c.name, nil, vals)
		default:
			vals := make([]bool, len(items))
			for i, it := range items {
				vals[i] = c.flag(it)
			}
			f = data.NewField(c.name, nil, vals)
		}
		f.Config = &data.FieldConfig{DisplayName: c.display, Unit: c.unit}
		fields = append(fields, f)
	}
	frame := data.NewFrame(frameName, fields...)
	frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return frame
}

func joined(list []string) string { return strings.Join(list, ", ") }
