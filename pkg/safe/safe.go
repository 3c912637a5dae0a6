// Package safe keeps a panic in one piece of work from ending the plugin process: Grafana
// serves every panel of every user through the same process, and a goroutine's panic that
// nothing recovers kills it.
package safe

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// ErrPanic marks an error that was a recovered panic: a bug of the plugin, not of a peer.
var ErrPanic = errors.New("internal error")

// Do runs fn. A panic is logged once, with its stack and what was running, and returned
// as an error that wraps ErrPanic; the caller says which query or call failed. The
// panic's value stays in the log, since it may quote data the user should not see.
func Do[T any](what string, fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.DefaultLogger.Error("recovered panic", "in", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			var zero T
			v, err = zero, fmt.Errorf("%w (the plugin's log has the details)", ErrPanic)
		}
	}()
	return fn()
}

// Run is Do for work without a result.
func Run(what string, fn func() error) error {
	_, err := Do(what, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}
