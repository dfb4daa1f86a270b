package spec

// RelKind is the direction of a relationship, seen from its owner.
type RelKind int

// The relationship kinds.
const (
	RelInvalid RelKind = iota
	// ManyToOne: the owner's table holds the foreign key (Post.author).
	ManyToOne
	// OneToMany: the target's table holds the foreign key (User.posts).
	OneToMany
	// OneToOne: OneToMany with uselist: false, or ManyToOne with a unique FK
	// and uselist: false. FKOnOwner tells which side holds the key.
	OneToOne
	// ManyToMany: linked through a secondary (association) table.
	ManyToMany
)

var relKindNames = [...]string{"invalid", "many-to-one", "one-to-many", "one-to-one", "many-to-many"}

func (k RelKind) String() string {
	if k < 0 || int(k) >= len(relKindNames) {
		return "invalid"
	}
	return relKindNames[k]
}

// MarshalText encodes the kind as its YAML name.
func (k RelKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LookupRelKind returns the kind with the given YAML name.
func LookupRelKind(name string) (RelKind, bool) {
	for i, n := range relKindNames {
		if i > 0 && n == name {
			return RelKind(i), true
		}
	}
	return RelInvalid, false
}

// Strategy is a relationship loading strategy.
type Strategy int

// The loading strategies (SQLAlchemy's lazy= values).
const (
	// LazySelect loads on explicit request with one query per parent.
	LazySelect Strategy = iota
	// LazySelectIn eager-loads with a second query using IN over parent keys.
	LazySelectIn
	// LazyJoined eager-loads with a LEFT OUTER JOIN in the parent query.
	LazyJoined
	// LazyRaise makes any access to the unloaded relationship an error.
	LazyRaise
	// LazyWriteOnly allows append/remove without loading; reads are explicit queries.
	LazyWriteOnly
	// LazyNoLoad never loads; the collection stays empty.
	LazyNoLoad
)

var strategyNames = [...]string{"select", "selectin", "joined", "raise", "write_only", "noload"}

func (s Strategy) String() string {
	if s < 0 || int(s) >= len(strategyNames) {
		return "invalid"
	}
	return strategyNames[s]
}

// MarshalText encodes the strategy as its YAML name.
func (s Strategy) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LookupStrategy returns the strategy with the given YAML name.
func LookupStrategy(name string) (Strategy, bool) {
	for i, n := range strategyNames {
		if n == name {
			return Strategy(i), true
		}
	}
	return 0, false
}

// Cascade is a set of cascade options.
type Cascade uint8

// The cascade options; CascadeAll is save-update, merge, delete (as in
// SQLAlchemy it also includes refresh-expire and expunge, which dlayer always does).
const (
	CascadeSaveUpdate Cascade = 1 << iota
	CascadeMerge
	CascadeDelete
	CascadeDeleteOrphan

	CascadeAll = CascadeSaveUpdate | CascadeMerge | CascadeDelete
	// CascadeDefault applies when a relationship states no cascade.
	CascadeDefault = CascadeSaveUpdate | CascadeMerge
)

// Has reports whether all options in o are set in c.
func (c Cascade) Has(o Cascade) bool { return c&o == o }

// LookupCascade returns the option with the given YAML name.
func LookupCascade(name string) (Cascade, bool) {
	switch name {
	case "save-update":
		return CascadeSaveUpdate, true
	case "merge":
		return CascadeMerge, true
	case "delete":
		return CascadeDelete, true
	case "delete-orphan":
		return CascadeDeleteOrphan, true
	case "all":
		return CascadeAll, true
	}
	return 0, false
}

// ColumnPair joins a column on one side of a relationship to a column on the
// other.
type ColumnPair struct {
	Local  *Column `json:"-"`
	Remote *Column `json:"-"`
}

// OrderTerm is one ORDER BY term of a relationship.
type OrderTerm struct {
	Column *Column `json:"-"`
	Desc   bool    `json:"desc,omitempty"`
}

// Relationship links a model to a target model.
type Relationship struct {
	Name   string `json:"name"`
	Model  *Model `json:"-"`
	Target *Model `json:"-"`
	// Kind is the inferred (and, when stated in YAML, checked) direction.
	Kind RelKind `json:"kind"`
	// FKOnOwner is true when the owner's table holds the foreign key
	// (ManyToOne, and OneToOne declared from the key-holding side).
	FKOnOwner bool `json:"fk_on_owner,omitempty"`
	// BackPopulates names the inverse relationship on Target, and Back
	// points to it once linked.
	BackPopulates string        `json:"back_populates,omitempty"`
	Back          *Relationship `json:"-"`
	// Pairs join the owner's table to the target's table (or, for
	// ManyToMany, the owner's table to Secondary): Local is on the owner side.
	Pairs []ColumnPair `json:"-"`
	// Secondary is the association table of a ManyToMany, and
	// SecondaryPairs join it to the target: Local is on Secondary, Remote
	// on the target's table.
	Secondary      *Table       `json:"-"`
	SecondaryPairs []ColumnPair `json:"-"`
	Cascade        Cascade      `json:"cascade"`
	Lazy           Strategy     `json:"lazy"`
	OrderBy        []OrderTerm  `json:"-"`
	// UseList is false for scalar (to-one) relationships.
	UseList        bool `json:"uselist"`
	PassiveDeletes bool `json:"passive_deletes,omitempty"`
	// ForeignKeys and RemoteSide are the disambiguation hints as given.
	ForeignKeys []*Column `json:"-"`
	RemoteSide  []*Column `json:"-"`
	Range       Range     `json:"range"`
}

// SelfReferential reports whether the relationship targets its own model.
func (r *Relationship) SelfReferential() bool { return r.Model == r.Target }
