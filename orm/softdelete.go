package orm

import (
	"time"

	"github.com/dlayer/dlayer/stmt"
)

// Soft delete (the soft_delete trait): Session.Delete of an object of such
// a model sets its soft-delete column at the next flush instead of
// deleting the row; queries and relationship loads leave rows with the
// column set out unless the query passes WithDeleted; HardDelete deletes
// for real.

// HardDelete marks obj for a real DELETE at the next flush, even when its
// model uses the soft_delete trait (where Delete only sets the deletion
// time). Delete cascades that reach other objects delete them for real
// too. For a model without soft delete it is Delete. It returns
// ErrSessionNeedsRollback after a failed flush.
func (s *Session) HardDelete(obj any) error {
	if err := s.Delete(obj); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil || m.softDel < 0 {
		return err
	}
	if st := s.stateOf(p); st != nil && st.status == statusDeleted {
		if s.hard == nil {
			s.hard = map[*state]bool{}
		}
		s.hard[st] = true
	}
	return nil
}

// inheritHard makes a cascaded delete of child as real as its parent's:
// a soft-delete child of a row that is really deleted (HardDelete, or a
// model without soft delete) is deleted for real too, or its foreign key
// would block the parent's DELETE.
func (s *Session) inheritHard(parent, child *state) {
	if child.m.softDel >= 0 && s.realDelete(parent) {
		if s.hard == nil {
			s.hard = map[*state]bool{}
		}
		s.hard[child] = true
	}
}

// realDelete reports whether deleting st runs a DELETE (not a soft delete).
func (s *Session) realDelete(st *state) bool { return st.m.softDel < 0 || s.hard[st] }

// softDeleteStmt is the UPDATE that soft-deletes st (its version column,
// if any, is checked and bumped as by any update), and the time it sets.
func softDeleteStmt(m *mapper, st *state, where []stmt.Expr) (stmt.Statement, any) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	upd := stmt.Update(m.tref).SetCol(m.cols[m.softDel].col, now)
	if m.version >= 0 {
		upd = upd.SetCol(m.cols[m.version].col, toInt64(m.cols[m.version].get(st.snap))+1)
	}
	return upd.Where(where...), now
}
