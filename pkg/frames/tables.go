// Package frames turns CP inventories and service-map graphs into Grafana data frames.
package frames

import (
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column declares one field of a frame: its name, display name, unit and per-row
// values; tables and node-graph frames are built from lists of columns, so every frame
// gets typed fields with display names the same way.
type column[T any] struct {
	name, display, unit string
	// values makes the field's values from the rows, as a typed slice (see valuesOf).
	values func(rows []T) any
	// color fixes the field's colour (the node graph's arc sections).
	color string
	links []data.DataLink
}

// valuesOf makes a column's values with v: a slice of V is a field of V's type, filled
// without boxing each value (a frame of a big map has tens of thousands).
func valuesOf[T, V any](v func(T) V) func([]T) any {
	return func(rows []T) any {
		out := make([]V, len(rows))
		for i := range rows {
			out[i] = v(rows[i])
		}
		return out
	}
}

func textColumn[T any](name, display string, v func(T) string) column[T] {
	return column[T]{name: name, display: display, values: valuesOf(v)}
}

func countColumn[T any](name, display string, v func(T) int64) column[T] {
	return column[T]{name: name, display: display, unit: "none", values: valuesOf(v)}
}

func flagColumn[T any](name, display string, v func(T) bool) column[T] {
	return column[T]{name: name, display: display, values: valuesOf(v)}
}

// newFrame builds a frame with one field per column and one row per item, shown as vis.
func newFrame[T any](name string, vis data.VisType, rows []T, columns []column[T]) *data.Frame {
	frame := data.NewFrame(name)
	for _, c := range columns {
		field := data.NewField(c.name, nil, c.values(rows))
		field.Config = &data.FieldConfig{DisplayName: c.display, Unit: c.unit, Links: c.links}
		if c.color != "" {
			field.Config.Color = map[string]any{"mode": "fixed", "fixedColor": c.color}
		}
		frame.Fields = append(frame.Fields, field)
	}
	frame.Meta = &data.FrameMeta{PreferredVisualization: vis}
	return frame
}

// table builds a table frame.
func table[T any](frameName string, items []T, columns []column[T]) *data.Frame {
	return newFrame(frameName, data.VisTypeTable, items, columns)
}

func joined(list []string) string { return strings.Join(list, ", ") }
