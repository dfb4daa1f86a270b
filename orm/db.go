package orm

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/suggest"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// DB binds Go types to the models of an engine's schema and makes Sessions
// (SQLAlchemy's sessionmaker). It is safe for concurrent use; build it once
// at start-up.
type DB struct {
	eng     *engine.Engine
	schema  *spec.Schema
	byType  map[reflect.Type]*mapper
	byModel map[*spec.Model]*mapper
	// order lists mappers parents-first (foreign-key dependency order).
	order  []*mapper
	cfg    config
	router *router
	// joined is set when a model uses joined-table inheritance.
	joined bool
}

type config struct {
	binds          []binding
	expireOnCommit bool
	autoflush      bool
	events         Events
	replicas       []*engine.Engine
	modelBinds     map[string]*engine.Engine
	inChunk        int
	// Replica health (router.go).
	retryFirst, retryMax time.Duration
	retrySet             bool
	maxLag               time.Duration
	maxLagSet            bool
	// budget is the query budget of a session (budget.go).
	budget *Budget
}

type binding struct {
	typ   reflect.Type
	model string
}

// Option configures a DB.
type Option func(*config)

// Bind binds struct type T to the named model. Binding is checked when New
// runs: every column of the model needs a field, relationship fields must be
// *U or []*U of another bound type U, and field types must suit column types.
func Bind[T any](model string) Option {
	return func(c *config) { c.binds = append(c.binds, binding{typ: reflect.TypeFor[T](), model: model}) }
}

// ExpireOnCommit sets whether Commit expires every loaded object, so the
// next Get or query reloads it (default true, as in SQLAlchemy).
func ExpireOnCommit(on bool) Option { return func(c *config) { c.expireOnCommit = on } }

// Autoflush sets whether queries flush pending changes first (default true).
func Autoflush(on bool) Option { return func(c *config) { c.autoflush = on } }

// InChunk caps how many keys one select-in query carries. By default a
// single-column key on PostgreSQL is sent as one array parameter
// (col = ANY($1)) in one query however many keys there are, and elsewhere
// a query carries as many keys as the dialect's parameter limit allows
// (SQLite 32,766 variables, MySQL 65,535 placeholders).
func InChunk(n int) Option { return func(c *config) { c.inChunk = n } }

// WithEvents installs session-wide hooks (see Events).
func WithEvents(ev Events) Option { return func(c *config) { c.events = ev } }

// New binds the given types to eng's schema and returns the DB. It does no
// I/O: a closed engine is reported by the first statement a session runs
// (engine.ErrClosed). Nil options are ignored; every other problem (an
// unknown model — with the closest model name and the list of models —, a
// field that does not fit its column, a nil replica…) is reported, all
// together, in the error.
func New(eng *engine.Engine, opts ...Option) (*DB, error) {
	if eng == nil {
		return nil, errors.New("orm: nil *engine.Engine (open one with dlayer.Open)")
	}
	cfg := config{expireOnCommit: true, autoflush: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	sch := eng.Schema()
	if sch == nil {
		return nil, errors.New("orm: the engine has no schema (open it with engine.WithSchema or dlayer.Open)")
	}
	db := &DB{eng: eng, schema: sch, byType: map[reflect.Type]*mapper{}, byModel: map[*spec.Model]*mapper{}, cfg: cfg}
	var problems []string
	if cfg.inChunk < 0 {
		problems = append(problems, fmt.Sprintf("InChunk(%d): want a positive number of keys (or 0 for the default)", cfg.inChunk))
	}
	problems = append(problems, replicaOptions(&cfg)...)
	for _, name := range sortedKeys(cfg.modelBinds) {
		if cfg.modelBinds[name] == nil {
			problems = append(problems, fmt.Sprintf("BindModel(%q): nil *engine.Engine", name))
		}
		if sch.Model(name) == nil {
			problems = append(problems, fmt.Sprintf("BindModel(%q): %s", name, unknownModel(sch, name)))
		}
	}
	pending := map[*mapper][]pendingRel{}
	for _, b := range cfg.binds {
		m := sch.Model(b.model)
		if m == nil {
			problems = append(problems, fmt.Sprintf("bind %s: %s", b.typ, unknownModel(sch, b.model)))
			continue
		}
		if _, dup := db.byModel[m]; dup {
			problems = append(problems, fmt.Sprintf("bind %s: model %s is already bound to %s", b.typ, m.Name, db.byModel[m].typ))
			continue
		}
		if _, dup := db.byType[b.typ]; dup {
			problems = append(problems, fmt.Sprintf("bind %s: the type is already bound to model %s", b.typ, db.byType[b.typ].model.Name))
			continue
		}
		mp, rels, err := newStructMapper(b.typ, m)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		db.byType[b.typ] = mp
		db.byModel[m] = mp
		pending[mp] = rels
	}
	// Models with no bound type load as dynamic Objects.
	for _, m := range sch.Models {
		if db.byModel[m] == nil {
			if usesJoinedTables(m) {
				mp, err := newJoinedDynamicMapper(m)
				if err != nil {
					return nil, fmt.Errorf("orm: %w", err)
				}
				db.byModel[m] = mp
				continue
			}
			mp := baseMapper(m)
			newDynamicMapper(mp)
			db.byModel[m] = mp
		}
	}
	for _, m := range sch.Models {
		mp := db.byModel[m]
		if mp.typ == nil {
			for _, r := range m.Relationships {
				rf := dynamicRelField(mp, r.Name, r.UseList, db.byModel[r.Target])
				mp.rels = append(mp.rels, rf)
				mp.relIdx[r.Name] = rf
			}
			continue
		}
		for _, pr := range pending[mp] {
			target := db.byModel[pr.rel.Target]
			if target.typ == nil {
				problems = append(problems, fmt.Sprintf("bind %s: relationship field %s targets model %s, which has no bound type (bind one)", mp.typ, pr.field.Name, pr.rel.Target.Name))
				continue
			}
			rf, err := structRelField(pr.rel, pr.field, target)
			if err != nil {
				problems = append(problems, fmt.Sprintf("bind %s: %v", mp.typ, err))
				continue
			}
			mp.rels = append(mp.rels, rf)
			mp.relIdx[pr.rel.Name] = rf
		}
	}
	problems = append(problems, linkHierarchies(db)...)
	for _, mp := range db.byModel {
		if len(mp.rels) > 64 {
			problems = append(problems, fmt.Sprintf("model %s: more than 64 relationships are not supported", mp.model.Name))
			continue
		}
		mp.allRels = 1<<uint(len(mp.rels)) - 1
		if len(mp.rels) == 64 {
			mp.allRels = ^uint64(0)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("orm: %s", strings.Join(problems, "\n  "))
	}
	db.order = dependencyOrder(sch, db.byModel)
	db.router = newRouter(eng, &cfg, sch)
	return db, nil
}

// Engine returns the primary engine (nil for a nil DB).
func (db *DB) Engine() *engine.Engine {
	if db == nil {
		return nil
	}
	return db.eng
}

// Schema returns the schema the DB maps (nil for a nil DB).
func (db *DB) Schema() *spec.Schema {
	if db == nil {
		return nil
	}
	return db.schema
}

// unknownModel describes a model name the schema does not have, with the
// closest name and the list of models.
func unknownModel(sch *spec.Schema, name string) string {
	names := make([]string, len(sch.Models))
	for i, m := range sch.Models {
		names[i] = m.Name
	}
	msg := fmt.Sprintf("no model %q in the schema", name)
	if hint := suggest.DidYouMean(name, names); hint != "" {
		msg += "; " + hint
	}
	if len(names) == 0 {
		return msg + " (the schema has no models)"
	}
	return msg + " (models: " + suggest.List(names, 30) + ")"
}

// modelMapper returns the mapper of the named model.
func (db *DB) modelMapper(name string) (*mapper, error) {
	m := db.schema.Model(name)
	if m == nil {
		return nil, fmt.Errorf("orm: %s", unknownModel(db.schema, name))
	}
	return db.byModel[m], nil
}

// unknownRel is the error for a relationship name m does not have (it
// matches stmt.ErrUnknown), with the closest name and the list of m's
// relationships.
func (m *mapper) unknownRel(op, name string) error {
	names := make([]string, len(m.model.Relationships))
	for i, r := range m.model.Relationships {
		names[i] = r.Name
	}
	var detail string
	if hint := suggest.DidYouMean(name, names); hint != "" {
		detail = hint + " "
	}
	if len(names) == 0 {
		detail += fmt.Sprintf("(%s has no relationships)", m.model.Name)
	} else {
		detail += fmt.Sprintf("(relationships of %s: %s)", m.model.Name, suggest.List(names, 30))
	}
	return fmt.Errorf("%s %s.%s: %w; %s", op, m.model.Name, name, stmt.ErrUnknown, detail)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mapperOf returns the mapper and object pointer of a value the app passed
// (*T of a bound T, or *Object).
func (db *DB) mapperOf(v any) (*mapper, unsafe.Pointer, error) {
	if o, ok := v.(*Object); ok {
		if o == nil || o.m == nil {
			return nil, nil, fmt.Errorf("%w: nil or uninitialised *orm.Object (use Session.New)", ErrUnbound)
		}
		if db.byModel[o.m.model] != o.m {
			return nil, nil, fmt.Errorf("%w: the *orm.Object comes from another orm.DB", ErrUnbound)
		}
		return o.m, unsafe.Pointer(o), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, nil, fmt.Errorf("%w: want a non-nil pointer to a bound struct, have %T", ErrUnbound, v)
	}
	m := db.byType[rv.Type().Elem()]
	if m == nil {
		return nil, nil, fmt.Errorf("%w: %T (bind it with orm.Bind)", ErrUnbound, v)
	}
	return m, rv.UnsafePointer(), nil
}

// mapperFor returns the mapper of bound type T.
func mapperFor[T any](db *DB) (*mapper, error) {
	if db == nil {
		return nil, errors.New("orm: nil *orm.DB")
	}
	t := reflect.TypeFor[T]()
	if t == reflect.TypeFor[Object]() {
		return nil, errors.New("orm: use the *Model functions (GetObject, AllObjects) for dynamic Objects")
	}
	m := db.byType[t]
	if m == nil {
		return nil, fmt.Errorf("%w: %s (bind it with orm.Bind)", ErrUnbound, t)
	}
	return m, nil
}

// dependencyOrder sorts mappers so that a table comes after every table it
// references (self-references aside), ties broken by model name. Cycles
// are broken at the lexically smallest remaining model.
func dependencyOrder(s *spec.Schema, byModel map[*spec.Model]*mapper) []*mapper {
	deps := map[*mapper]map[*mapper]bool{}
	var all []*mapper
	for _, m := range s.Models {
		mp := byModel[m]
		all = append(all, mp)
		deps[mp] = map[*mapper]bool{}
		for _, fk := range m.Table.ForeignKeys {
			if fk.RefTable == nil || fk.RefTable == m.Table || fk.RefTable.Model == nil {
				continue
			}
			if p := byModel[fk.RefTable.Model]; p != nil {
				deps[mp][p] = true
			}
		}
	}
	var out []*mapper
	done := map[*mapper]bool{}
	for len(out) < len(all) {
		progressed := false
		for _, mp := range all {
			if done[mp] {
				continue
			}
			ready := true
			for p := range deps[mp] {
				if !done[p] {
					ready = false
					break
				}
			}
			if ready {
				done[mp] = true
				out = append(out, mp)
				progressed = true
			}
		}
		if !progressed {
			for _, mp := range all {
				if !done[mp] {
					done[mp] = true
					out = append(out, mp)
					break
				}
			}
		}
	}
	for i, mp := range out {
		mp.rank = i
	}
	return out
}
