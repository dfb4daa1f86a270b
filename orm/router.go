package orm

import (
	"sync/atomic"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
)

// Replicas adds read replicas: a Session sends reads to them (round robin)
// until it writes or opens a transaction; writes, FOR UPDATE and everything
// inside a transaction go to the primary. Replication lag is the app's to
// accept: a session that wrote reads its own writes from the primary.
func Replicas(replicas ...*engine.Engine) Option {
	return func(c *config) { c.replicas = append(c.replicas, replicas...) }
}

// BindModel sends every statement about the named model (reads and writes)
// to e instead of the primary — SQLAlchemy's per-mapper binds. A flush that
// writes to several engines runs one transaction on each; they commit one
// after the other, not atomically together.
func BindModel(model string, e *engine.Engine) Option {
	return func(c *config) {
		if c.modelBinds == nil {
			c.modelBinds = map[string]*engine.Engine{}
		}
		c.modelBinds[model] = e
	}
}

type router struct {
	primary  *engine.Engine
	replicas []*engine.Engine
	next     atomic.Uint64
	models   map[*spec.Model]*engine.Engine
}

func newRouter(primary *engine.Engine, replicas []*engine.Engine, binds map[string]*engine.Engine, s *spec.Schema) *router {
	r := &router{primary: primary, replicas: replicas, models: map[*spec.Model]*engine.Engine{}}
	for name, e := range binds {
		if m := s.Model(name); m != nil {
			r.models[m] = e
		}
	}
	return r
}

// writer returns the engine that writes model m.
func (r *router) writer(m *spec.Model) *engine.Engine {
	if e := r.models[m]; e != nil {
		return e
	}
	return r.primary
}

// reader returns the engine a read of model m may use outside a
// transaction.
func (r *router) reader(m *spec.Model) *engine.Engine {
	if e := r.models[m]; e != nil {
		return e
	}
	if len(r.replicas) == 0 {
		return r.primary
	}
	return r.replicas[(r.next.Add(1)-1)%uint64(len(r.replicas))]
}
