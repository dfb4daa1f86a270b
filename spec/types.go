package spec

// TypeKind is a builtin column type.
type TypeKind int

// The builtin types. Their YAML names are given by TypeKind.String.
const (
	TypeInvalid TypeKind = iota
	TypeInteger
	TypeBigInt
	TypeSmallInt
	TypeString
	TypeText
	TypeBoolean
	TypeFloat
	TypeDouble
	TypeDecimal
	TypeDate
	TypeTime
	TypeTimestamp
	TypeUUID
	TypeJSON
	TypeBytes
	TypeEnum
	// TypeArray is a PostgreSQL array of Type.Items.
	TypeArray
	// TypeNative is a database type with no dlayer equivalent, written as
	// Type.Native gives it for each dialect (a pass-through).
	TypeNative
)

var typeNames = [...]string{
	TypeInvalid:   "invalid",
	TypeInteger:   "integer",
	TypeBigInt:    "bigint",
	TypeSmallInt:  "smallint",
	TypeString:    "string",
	TypeText:      "text",
	TypeBoolean:   "boolean",
	TypeFloat:     "float",
	TypeDouble:    "double",
	TypeDecimal:   "decimal",
	TypeDate:      "date",
	TypeTime:      "time",
	TypeTimestamp: "timestamp",
	TypeUUID:      "uuid",
	TypeJSON:      "json",
	TypeBytes:     "bytes",
	TypeEnum:      "enum",
	TypeArray:     "array",
	TypeNative:    "native",
}

// String returns the YAML name of the type.
func (k TypeKind) String() string {
	if k < 0 || int(k) >= len(typeNames) {
		return "invalid"
	}
	return typeNames[k]
}

// MarshalText encodes the kind as its YAML name.
func (k TypeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// BuiltinTypes lists every builtin kind in declaration order.
func BuiltinTypes() []TypeKind {
	out := make([]TypeKind, 0, len(typeNames)-1)
	for k := TypeInteger; int(k) < len(typeNames); k++ {
		out = append(out, k)
	}
	return out
}

// LookupType returns the builtin kind with the given YAML name.
func LookupType(name string) (TypeKind, bool) {
	for k := TypeInteger; int(k) < len(typeNames); k++ {
		if typeNames[k] == name {
			return k, true
		}
	}
	return TypeInvalid, false
}

// IsInteger reports whether k is one of the integer kinds.
func (k TypeKind) IsInteger() bool {
	return k == TypeInteger || k == TypeBigInt || k == TypeSmallInt
}

// IsNumeric reports whether k holds numbers.
func (k TypeKind) IsNumeric() bool {
	return k.IsInteger() || k == TypeFloat || k == TypeDouble || k == TypeDecimal
}

// IsTextual reports whether k holds character data.
func (k TypeKind) IsTextual() bool {
	return k == TypeString || k == TypeText || k == TypeEnum
}

// IsTemporal reports whether k holds dates or times.
func (k TypeKind) IsTemporal() bool {
	return k == TypeDate || k == TypeTime || k == TypeTimestamp
}

// Type is a fully resolved column type.
type Type struct {
	Kind TypeKind `json:"kind"`
	// Length applies to string (and optionally bytes); 0 means unbounded.
	Length int `json:"length,omitempty"`
	// Precision and Scale apply to decimal (precision also to timestamp/time
	// fractional seconds when set).
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// ZeroPrecision marks a time or timestamp declared with precision: 0
	// (whole seconds). Precision 0 alone means the dialect's default
	// (microseconds).
	ZeroPrecision bool `json:"zero_precision,omitempty"`
	// Unsigned marks a numeric column that holds no negative values (MySQL
	// UNSIGNED).
	Unsigned bool `json:"unsigned,omitempty"`
	// Fixed marks a string of fixed length (CHAR(n) rather than VARCHAR(n)).
	Fixed bool `json:"fixed,omitempty"`
	// Timezone applies to timestamp.
	Timezone bool `json:"timezone,omitempty"`
	// Values lists the members of an enum, in order.
	Values []string `json:"values,omitempty"`
	// EnumName is the database type name of an enum where a dialect needs
	// one (PostgreSQL CREATE TYPE); the loader derives it.
	EnumName string `json:"enum_name,omitempty"`
	// Items is the element type of an array.
	Items *Type `json:"items,omitempty"`
	// Native maps a dialect name ("postgres", "mysql", "sqlite") to the
	// type that dialect's DDL writes for a native column, as is.
	Native map[string]string `json:"native,omitempty"`
	// Domain names the PostgreSQL domain a column is declared with (a
	// types: alias with domain: true); other dialects use the base type.
	Domain string `json:"domain,omitempty"`
}

// Compatible reports whether values of t and u can be compared and stored in
// each other's columns without loss of identity (used for foreign keys).
func (t Type) Compatible(u Type) bool {
	switch {
	case t.Kind.IsInteger() && u.Kind.IsInteger():
		return true
	case t.Kind.IsTextual() && u.Kind.IsTextual():
		return true
	}
	return t.Kind == u.Kind
}

// TypeAlias is a reusable named column definition from a file's `types:` map
// (SQLAlchemy's Annotated aliases). Column carries the alias's settings.
type TypeAlias struct {
	Name string `json:"name"`
	// Base is the alias or builtin the alias refines, as written.
	Base   string  `json:"base"`
	Column *Column `json:"column"`
	// Domain is set when the alias is a PostgreSQL domain (domain: true).
	Domain *Domain `json:"domain,omitempty"`
	Range  Range   `json:"range"`
}

// Domain is what a PostgreSQL CREATE DOMAIN adds to its base type.
type Domain struct {
	// Checks are the domain's CHECK constraints; VALUE is the value checked.
	Checks []*Check `json:"checks,omitempty"`
}
