// Package frames turns CP inventories and service-map graphs into Grafana data frames.
package frames

import (
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column declares one field of a frame: its name, display name, unit, type and per-row
// value; tables and node-graph frames are built from lists of columns, so every frame
// gets typed fields with display names the same way.
type column[T any] struct {
	name, display, unit string
	typ                 data.FieldType
	value               func(T) any
	// color fixes the field's colour (the node graph's arc sections).
	color string
	links []data.DataLink
}

func textColumn[T any](name, display string, v func(T) string) column[T] {
	return column[T]{name: name, display: display, typ: data.FieldTypeString, value: func(t T) any { return v(t) }}
}

func countColumn[T any](name, display string, v func(T) int64) column[T] {
	return column[T]{name: name, display: display, unit: "none", typ: data.FieldTypeInt64, value: func(t T) any { return v(t) }}
}

func flagColumn[T any](name, display string, v func(T) bool) column[T] {
	return column[T]{name: name, display: display, typ: data.FieldTypeBool, value: func(t T) any { return v(t) }}
}

// newFrame builds a frame with one field per column and one row per item, shown as vis.
func newFrame[T any](name string, vis data.VisType, rows []T, columns []column[T]) *data.Frame {
	frame := data.NewFrame(name)
	for _, c := range columns {
		field := data.NewFieldFromFieldType(c.typ, len(rows))
		field.Name = c.name
		for i, r := range rows {
			field.Set(i, c.value(r))
		}
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
