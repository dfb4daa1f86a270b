package orm

import "fmt"

// writable returns ErrReadOnly, saying what was attempted, when m maps a
// view.
func (m *mapper) writable(op string) error {
	if m.table != nil && m.table.View != nil {
		return fmt.Errorf("%s %s: model %s maps view %s, which is read-only: %w", op, m.model.Name, m.model.Name, m.table.Name, ErrReadOnly)
	}
	return nil
}
