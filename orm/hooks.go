package orm

import (
	"context"
	"reflect"
)

// Per-object hooks: a bound struct type opts in by implementing any of these
// interfaces on its pointer type. They run inside the flush's transaction; an
// error aborts the flush (which is then rolled back).
type (
	// BeforeInserter runs before the object's INSERT.
	BeforeInserter interface {
		BeforeInsert(ctx context.Context, s *Session) error
	}
	// AfterInserter runs after the object's INSERT (generated keys are set).
	AfterInserter interface {
		AfterInsert(ctx context.Context, s *Session) error
	}
	// BeforeUpdater runs before the object's UPDATE.
	BeforeUpdater interface {
		BeforeUpdate(ctx context.Context, s *Session) error
	}
	// AfterUpdater runs after the object's UPDATE.
	AfterUpdater interface {
		AfterUpdate(ctx context.Context, s *Session) error
	}
	// BeforeDeleter runs before the object's DELETE.
	BeforeDeleter interface {
		BeforeDelete(ctx context.Context, s *Session) error
	}
	// AfterDeleter runs after the object's DELETE.
	AfterDeleter interface {
		AfterDelete(ctx context.Context, s *Session) error
	}
	// AfterLoader runs when the object is loaded from a row.
	AfterLoader interface {
		AfterLoad(ctx context.Context, s *Session) error
	}
)

type hookSet uint8

const (
	hookBeforeInsert hookSet = 1 << iota
	hookAfterInsert
	hookBeforeUpdate
	hookAfterUpdate
	hookBeforeDelete
	hookAfterDelete
	hookAfterLoad
)

func hooksOf(t reflect.Type) hookSet {
	p := reflect.PointerTo(t)
	var h hookSet
	for _, x := range []struct {
		iface reflect.Type
		bit   hookSet
	}{
		{reflect.TypeFor[BeforeInserter](), hookBeforeInsert},
		{reflect.TypeFor[AfterInserter](), hookAfterInsert},
		{reflect.TypeFor[BeforeUpdater](), hookBeforeUpdate},
		{reflect.TypeFor[AfterUpdater](), hookAfterUpdate},
		{reflect.TypeFor[BeforeDeleter](), hookBeforeDelete},
		{reflect.TypeFor[AfterDeleter](), hookAfterDelete},
		{reflect.TypeFor[AfterLoader](), hookAfterLoad},
	} {
		if p.Implements(x.iface) {
			h |= x.bit
		}
	}
	return h
}

// runHook calls the object's hook for bit, if its type has it.
func (s *Session) runHook(ctx context.Context, st *state, bit hookSet) error {
	if st.m.hooks&bit == 0 {
		return nil
	}
	obj := st.m.iface(st.obj)
	prev := s.calloutBegin()
	defer s.calloutEnd(prev)
	switch bit {
	case hookBeforeInsert:
		return obj.(BeforeInserter).BeforeInsert(ctx, s)
	case hookAfterInsert:
		return obj.(AfterInserter).AfterInsert(ctx, s)
	case hookBeforeUpdate:
		return obj.(BeforeUpdater).BeforeUpdate(ctx, s)
	case hookAfterUpdate:
		return obj.(AfterUpdater).AfterUpdate(ctx, s)
	case hookBeforeDelete:
		return obj.(BeforeDeleter).BeforeDelete(ctx, s)
	case hookAfterDelete:
		return obj.(AfterDeleter).AfterDelete(ctx, s)
	case hookAfterLoad:
		return obj.(AfterLoader).AfterLoad(ctx, s)
	}
	return nil
}

// Events are session-wide hooks, set with WithEvents on the DB. Every field
// is optional.
type Events struct {
	// BeforeFlush runs at the start of every flush that has work to do.
	BeforeFlush func(ctx context.Context, s *Session) error
	// AfterFlush runs after a successful flush, before the transaction ends.
	AfterFlush func(ctx context.Context, s *Session) error
	// BeforeCommit runs before COMMIT (after the final flush).
	BeforeCommit func(ctx context.Context, s *Session) error
	// AfterCommit runs after a successful COMMIT.
	AfterCommit func(ctx context.Context, s *Session)
	// AfterRollback runs after a rollback.
	AfterRollback func(ctx context.Context, s *Session)
}
