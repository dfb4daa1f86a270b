package stmt

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Selectable is anything a SELECT (or RETURNING) list may hold: a *Table
// (all of its columns, in declaration order) or an Expr.
type Selectable interface {
	selectable()
}

// Expr is a SQL expression node. The node types below have exported fields so
// dialect compilers can read them; treat them as read-only and build them with
// this package's functions.
type Expr interface {
	Selectable
	expr()
}

// Column is a column of a Table in an expression. Err is set when the column
// did not resolve.
type Column struct {
	Table *Table
	Spec  *spec.Column
	Err   error
}

// Value is a bound parameter: V travels as an argument, never as SQL text.
// Type is the column type it is compared with or assigned to, when known.
type Value struct {
	V    any
	Type *spec.Type
}

// Param is a named parameter whose value is supplied after compilation
// (dialects.Compiled.Bind), so one compiled statement serves many values.
type Param struct {
	Name string
	Type *spec.Type
}

// Op is a binary operator.
type Op uint8

// The binary operators.
const (
	OpEq Op = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAdd
	OpSub
	OpMul
	OpDiv
)

var opText = [...]string{OpEq: " = ", OpNe: " <> ", OpLt: " < ", OpLe: " <= ", OpGt: " > ", OpGe: " >= ",
	OpAdd: " + ", OpSub: " - ", OpMul: " * ", OpDiv: " / "}

// SQL returns the operator's SQL text with surrounding spaces ("" if invalid).
func (o Op) SQL() string {
	if int(o) >= len(opText) {
		return ""
	}
	return opText[o]
}

// Arithmetic reports whether o is + - * or /.
func (o Op) Arithmetic() bool { return o >= OpAdd && o <= OpDiv }

// BinaryExpr is L Op R.
type BinaryExpr struct {
	Op   Op
	L, R Expr
}

// BoolExpr joins Terms with AND (or OR when Or is set). No terms means TRUE
// for AND and FALSE for OR.
type BoolExpr struct {
	Or    bool
	Terms []Expr
}

// NotExpr is NOT X.
type NotExpr struct{ X Expr }

// InExpr is X [NOT] IN (Values…) or X [NOT] IN (Sub). An empty Values list is
// compiled to an always-false (IN) or always-true (NOT IN) condition.
type InExpr struct {
	X      Expr
	Values []Expr
	Sub    *SelectStmt
	Not    bool
	// Array (see InArray): where the dialect binds arrays
	// (dialects.ArrayParams) and the values are plain values of one Go
	// type, compile X = ANY(?) with the values as one array parameter.
	Array bool
}

// BetweenExpr is X [NOT] BETWEEN Lo AND Hi.
type BetweenExpr struct {
	X, Lo, Hi Expr
	Not       bool
}

// LikeExpr is X [NOT] LIKE Pattern [ESCAPE 'c']. Fold asks for a
// case-insensitive match (ILIKE, or LOWER(X) LIKE LOWER(Pattern) where the
// dialect lacks it). Escape is 0 for none.
type LikeExpr struct {
	X, Pattern Expr
	Fold, Not  bool
	Escape     byte
}

// NullExpr is X IS [NOT] NULL.
type NullExpr struct {
	X   Expr
	Not bool
}

// Fn is one of the SQL functions the builder can call.
type Fn uint8

// The functions.
const (
	FnCount Fn = iota + 1
	FnSum
	FnAvg
	FnMin
	FnMax
	FnLower
	FnUpper
	FnCoalesce
)

var fnNames = [...]string{FnCount: "COUNT", FnSum: "SUM", FnAvg: "AVG", FnMin: "MIN", FnMax: "MAX",
	FnLower: "LOWER", FnUpper: "UPPER", FnCoalesce: "COALESCE"}

// SQL returns the function's SQL name ("" if invalid).
func (f Fn) SQL() string {
	if int(f) >= len(fnNames) {
		return ""
	}
	return fnNames[f]
}

// FuncExpr is a function call. Star renders COUNT(*); Distinct renders
// COUNT(DISTINCT x).
type FuncExpr struct {
	Fn       Fn
	Args     []Expr
	Distinct bool
	Star     bool
}

// Label names the expression in the result (AS name).
func (f *FuncExpr) Label(name string) *LabelExpr { return &LabelExpr{X: f, Name: name} }

// LabelExpr is X AS Name; Name is quoted like any identifier.
type LabelExpr struct {
	X    Expr
	Name string
}

// ExistsExpr is [NOT] EXISTS (Sub).
type ExistsExpr struct {
	Sub *SelectStmt
	Not bool
}

// SubqueryExpr is a scalar subquery (Sub) used as a value.
type SubqueryExpr struct{ Sub *SelectStmt }

// Label names the subquery's value in the result.
func (s *SubqueryExpr) Label(name string) *LabelExpr { return &LabelExpr{X: s, Name: name} }

// TupleExpr is a row value, (a, b, …): compared with IN against other
// tuples it matches composite keys.
type TupleExpr struct{ Items []Expr }

// ExcludedExpr is, in an upsert's update list, the value the conflicting
// INSERT proposed for Col (excluded.col, or VALUES(col) on MySQL).
type ExcludedExpr struct{ Col *spec.Column }

// ErrExpr stands for an expression that could not be built; compiling it
// returns Err.
type ErrExpr struct{ Err error }

func (*Column) selectable()       {}
func (*Value) selectable()        {}
func (*Param) selectable()        {}
func (*BinaryExpr) selectable()   {}
func (*BoolExpr) selectable()     {}
func (*NotExpr) selectable()      {}
func (*InExpr) selectable()       {}
func (*BetweenExpr) selectable()  {}
func (*LikeExpr) selectable()     {}
func (*NullExpr) selectable()     {}
func (*FuncExpr) selectable()     {}
func (*LabelExpr) selectable()    {}
func (*ExistsExpr) selectable()   {}
func (*SubqueryExpr) selectable() {}
func (*ExcludedExpr) selectable() {}
func (*ErrExpr) selectable()      {}
func (*TupleExpr) selectable()    {}

func (*Column) expr()       {}
func (*Value) expr()        {}
func (*Param) expr()        {}
func (*BinaryExpr) expr()   {}
func (*BoolExpr) expr()     {}
func (*NotExpr) expr()      {}
func (*InExpr) expr()       {}
func (*BetweenExpr) expr()  {}
func (*LikeExpr) expr()     {}
func (*NullExpr) expr()     {}
func (*FuncExpr) expr()     {}
func (*LabelExpr) expr()    {}
func (*ExistsExpr) expr()   {}
func (*SubqueryExpr) expr() {}
func (*ExcludedExpr) expr() {}
func (*ErrExpr) expr()      {}
func (*TupleExpr) expr()    {}

var (
	bigintType = &spec.Type{Kind: spec.TypeBigInt}
	// textType types LIKE patterns: a pattern is text whatever the column
	// (its wildcards may make it longer than a string column's length).
	textType = &spec.Type{Kind: spec.TypeText}
	textLike = &Value{Type: textType}
)

// TypeOf returns the value type of e when it can be known from the schema
// (nil otherwise).
func TypeOf(e Expr) *spec.Type {
	switch x := e.(type) {
	case *Column:
		if x != nil && x.Spec != nil {
			return &x.Spec.Type
		}
	case *Value:
		if x != nil {
			return x.Type
		}
	case *Param:
		if x != nil {
			return x.Type
		}
	case *LabelExpr:
		if x != nil {
			return TypeOf(x.X)
		}
	case *BinaryExpr:
		if x != nil && x.Op.Arithmetic() {
			return TypeOf(x.L)
		}
	case *WindowExpr:
		return bigintType
	case *FuncExpr:
		if x == nil {
			return nil
		}
		switch x.Fn {
		case FnCount:
			return bigintType
		case FnSum, FnMin, FnMax, FnLower, FnUpper, FnCoalesce:
			if len(x.Args) > 0 {
				return TypeOf(x.Args[0])
			}
		case FnAvg:
			// The average of a decimal(p,s) is a decimal with four more
			// digits of scale (MySQL's rule), so that every database
			// reads it back alike ("40.163333" for decimal(10,2)).
			if len(x.Args) > 0 {
				if t := TypeOf(x.Args[0]); t != nil && t.Kind == spec.TypeDecimal && t.Precision > 0 {
					return &spec.Type{Kind: spec.TypeDecimal, Precision: t.Precision + 4, Scale: t.Scale + 4}
				}
			}
		}
	case *SubqueryExpr:
		if x != nil && x.Sub != nil && len(x.Sub.p.Items) == 1 {
			if ie, ok := x.Sub.p.Items[0].(Expr); ok {
				return TypeOf(ie)
			}
		}
	case *ExcludedExpr:
		if x != nil && x.Col != nil {
			return &x.Col.Type
		}
	}
	return nil
}

// Val makes v a bound value of an unknown type. Values passed to the
// comparison functions are bound automatically; Val is for places that take
// an Expr.
func Val(v any) *Value { return &Value{V: v} }

// NamedParam makes a named parameter, bound after compilation.
func NamedParam(name string) *Param { return &Param{Name: name} }

// bind turns a Go value into an expression: Expr values are kept, a
// *SelectStmt becomes a scalar subquery, anything else is a bound value typed
// like the expression it meets.
func bind(v any, like Expr) Expr {
	switch x := v.(type) {
	case *SelectStmt:
		return &SubqueryExpr{Sub: x}
	case *Param:
		if x != nil && x.Type == nil {
			return &Param{Name: x.Name, Type: TypeOf(like)}
		}
		return x
	case *Value:
		if x != nil && x.Type == nil {
			return &Value{V: x.V, Type: TypeOf(like)}
		}
		return x
	case Expr:
		return x
	case *Table:
		return &ErrExpr{Err: errors.New("stmt: a table cannot be used as a value")}
	}
	return &Value{V: v, Type: TypeOf(like)}
}

func cmpOp(op Op, x Expr, v any) Expr {
	if v == nil {
		switch op {
		case OpEq:
			return &NullExpr{X: x}
		case OpNe:
			return &NullExpr{X: x, Not: true}
		}
	}
	if bindsPlain(v) {
		// The comparison and its bound value in one allocation.
		n := &binValue{b: BinaryExpr{Op: op, L: x}, v: Value{V: v, Type: TypeOf(x)}}
		n.b.R = &n.v
		return &n.b
	}
	return &BinaryExpr{Op: op, L: x, R: bind(v, x)}
}

// binValue is a comparison with a bound value, allocated together.
type binValue struct {
	b BinaryExpr
	v Value
}

// Eq is x = v; Eq(x, nil) is x IS NULL.
func Eq(x Expr, v any) Expr { return cmpOp(OpEq, x, v) }

// Ne is x <> v; Ne(x, nil) is x IS NOT NULL.
func Ne(x Expr, v any) Expr { return cmpOp(OpNe, x, v) }

// Lt is x < v.
func Lt(x Expr, v any) Expr { return cmpOp(OpLt, x, v) }

// Le is x <= v.
func Le(x Expr, v any) Expr { return cmpOp(OpLe, x, v) }

// Gt is x > v.
func Gt(x Expr, v any) Expr { return cmpOp(OpGt, x, v) }

// Ge is x >= v.
func Ge(x Expr, v any) Expr { return cmpOp(OpGe, x, v) }

// Add is x + v.
func Add(x Expr, v any) Expr { return &BinaryExpr{Op: OpAdd, L: x, R: bind(v, x)} }

// Sub is x - v.
func Sub(x Expr, v any) Expr { return &BinaryExpr{Op: OpSub, L: x, R: bind(v, x)} }

// Mul is x * v.
func Mul(x Expr, v any) Expr { return &BinaryExpr{Op: OpMul, L: x, R: bind(v, x)} }

// Div is x / v.
func Div(x Expr, v any) Expr { return &BinaryExpr{Op: OpDiv, L: x, R: bind(v, x)} }

// InArray is x IN vals for a list of plain values of one Go type (keys,
// typically). On a dialect that binds arrays (PostgreSQL) it compiles to
// x = ANY(?) with the values as ONE parameter: the statement has the same
// text, and one shape in the compiled-statement and prepared-statement
// caches, whatever the number of values, and no parameter limit applies.
// Elsewhere, or when the values are of mixed types, nil, or not a scalar
// kind, it compiles as In does: x IN (?, ?, …). No values match nothing.
func InArray(x Expr, vals []any) Expr {
	e := in(x, false, vals)
	if ie, ok := e.(*InExpr); ok && ie.Sub == nil {
		ie.Array = true
	}
	return e
}

func in(x Expr, not bool, vals []any) Expr {
	if len(vals) == 1 {
		switch v := vals[0].(type) {
		case *SelectStmt:
			return &InExpr{X: x, Sub: v, Not: not}
		case []byte, string, nil:
		default:
			rv := reflect.ValueOf(v)
			if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
				vals = make([]any, rv.Len())
				for i := range vals {
					vals[i] = rv.Index(i).Interface()
				}
			}
		}
	}
	out := make([]Expr, len(vals))
	for i, v := range vals {
		if _, ok := v.(*SelectStmt); ok {
			return &ErrExpr{Err: fmt.Errorf("stmt: IN takes one subquery or values, not a subquery among %d values", len(vals))}
		}
		out[i] = bind(v, x)
	}
	return &InExpr{X: x, Values: out, Not: not}
}

// In is x IN (vals…). A single slice argument is expanded; a single
// *SelectStmt argument makes x IN (subquery).
func In(x Expr, vals ...any) Expr { return in(x, false, vals) }

// NotIn is x NOT IN (vals…), with In's argument rules.
func NotIn(x Expr, vals ...any) Expr { return in(x, true, vals) }

// Between is x BETWEEN lo AND hi.
func Between(x Expr, lo, hi any) Expr {
	return &BetweenExpr{X: x, Lo: bind(lo, x), Hi: bind(hi, x)}
}

// NotBetween is x NOT BETWEEN lo AND hi.
func NotBetween(x Expr, lo, hi any) Expr {
	return &BetweenExpr{X: x, Lo: bind(lo, x), Hi: bind(hi, x), Not: true}
}

// Like is x LIKE pattern; the pattern's wildcards apply. Case sensitivity is
// the database's (see ILike for a case-insensitive match everywhere).
func Like(x Expr, pattern any) Expr { return &LikeExpr{X: x, Pattern: bind(pattern, textLike)} }

// NotLike is x NOT LIKE pattern.
func NotLike(x Expr, pattern any) Expr {
	return &LikeExpr{X: x, Pattern: bind(pattern, textLike), Not: true}
}

// ILike is a case-insensitive x LIKE pattern: ILIKE where the dialect has it,
// else LOWER(x) LIKE LOWER(pattern) with a LOWER that folds all of Unicode
// (on SQLite, a function the dialect registers).
func ILike(x Expr, pattern any) Expr {
	return &LikeExpr{X: x, Pattern: bind(pattern, textLike), Fold: true}
}

// NotILike is the negation of ILike.
func NotILike(x Expr, pattern any) Expr {
	return &LikeExpr{X: x, Pattern: bind(pattern, textLike), Fold: true, Not: true}
}

// LikeEscapeChar is the escape character EscapeLike uses and Contains,
// StartsWith and EndsWith declare with ESCAPE. It needs no escaping inside a
// SQL string literal in any dialect (unlike the backslash on MySQL).
const LikeEscapeChar = '!'

// EscapeLike escapes the LIKE wildcards % and _ (and the escape character
// itself) in s, for use with ESCAPE '!'.
func EscapeLike(s string) string {
	if !strings.ContainsAny(s, "%_!") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '_', LikeEscapeChar:
			b.WriteByte(LikeEscapeChar)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func likeLiteral(x Expr, pattern string, fold bool) Expr {
	return &LikeExpr{X: x, Pattern: &Value{V: pattern, Type: textType}, Fold: fold, Escape: LikeEscapeChar}
}

// Contains matches x containing s literally (wildcards in s are escaped).
func Contains(x Expr, s string) Expr { return likeLiteral(x, "%"+EscapeLike(s)+"%", false) }

// ContainsFold is Contains ignoring case.
func ContainsFold(x Expr, s string) Expr { return likeLiteral(x, "%"+EscapeLike(s)+"%", true) }

// StartsWith matches x starting with s literally.
func StartsWith(x Expr, s string) Expr { return likeLiteral(x, EscapeLike(s)+"%", false) }

// EndsWith matches x ending with s literally.
func EndsWith(x Expr, s string) Expr { return likeLiteral(x, "%"+EscapeLike(s), false) }

// IsNull is x IS NULL.
func IsNull(x Expr) Expr { return &NullExpr{X: x} }

// IsNotNull is x IS NOT NULL.
func IsNotNull(x Expr) Expr { return &NullExpr{X: x, Not: true} }

func boolOf(or bool, terms []Expr) Expr {
	out := make([]Expr, 0, len(terms))
	for _, t := range terms {
		if t != nil {
			out = append(out, t)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return &BoolExpr{Or: or, Terms: out}
}

// And joins conditions with AND; nil conditions are skipped.
func And(terms ...Expr) Expr { return boolOf(false, terms) }

// Or joins conditions with OR; nil conditions are skipped.
func Or(terms ...Expr) Expr { return boolOf(true, terms) }

// Not negates x.
func Not(x Expr) Expr { return &NotExpr{X: x} }

// Exists is EXISTS (sub).
func Exists(sub *SelectStmt) Expr { return &ExistsExpr{Sub: sub} }

// NotExists is NOT EXISTS (sub).
func NotExists(sub *SelectStmt) Expr { return &ExistsExpr{Sub: sub, Not: true} }

// Scalar makes sub (which should select one value) a scalar subquery.
func Scalar(sub *SelectStmt) *SubqueryExpr { return &SubqueryExpr{Sub: sub} }

// Count is COUNT(x).
func Count(x Expr) *FuncExpr { return &FuncExpr{Fn: FnCount, Args: []Expr{x}} }

// CountAll is COUNT(*).
func CountAll() *FuncExpr { return &FuncExpr{Fn: FnCount, Star: true} }

// CountDistinct is COUNT(DISTINCT x).
func CountDistinct(x Expr) *FuncExpr {
	return &FuncExpr{Fn: FnCount, Args: []Expr{x}, Distinct: true}
}

// Sum is SUM(x).
func Sum(x Expr) *FuncExpr { return &FuncExpr{Fn: FnSum, Args: []Expr{x}} }

// Avg is AVG(x).
func Avg(x Expr) *FuncExpr { return &FuncExpr{Fn: FnAvg, Args: []Expr{x}} }

// Min is MIN(x).
func Min(x Expr) *FuncExpr { return &FuncExpr{Fn: FnMin, Args: []Expr{x}} }

// Max is MAX(x).
func Max(x Expr) *FuncExpr { return &FuncExpr{Fn: FnMax, Args: []Expr{x}} }

// Lower is LOWER(x).
func Lower(x Expr) *FuncExpr { return &FuncExpr{Fn: FnLower, Args: []Expr{x}} }

// Upper is UPPER(x).
func Upper(x Expr) *FuncExpr { return &FuncExpr{Fn: FnUpper, Args: []Expr{x}} }

// Coalesce is COALESCE(x, vals…); plain values are bound.
func Coalesce(x Expr, vals ...any) *FuncExpr {
	args := make([]Expr, 1, 1+len(vals))
	args[0] = x
	for _, v := range vals {
		args = append(args, bind(v, x))
	}
	return &FuncExpr{Fn: FnCoalesce, Args: args}
}

// Label is x AS name.
func Label(x Expr, name string) *LabelExpr { return &LabelExpr{X: x, Name: name} }

// Excluded is, in an upsert's update list, the value the INSERT proposed for
// column c.
func Excluded(c *Column) Expr {
	if c == nil || c.Err != nil || c.Spec == nil {
		if c != nil && c.Err != nil {
			return &ErrExpr{Err: c.Err}
		}
		return &ErrExpr{Err: errors.New("stmt.Excluded: nil column")}
	}
	return &ExcludedExpr{Col: c.Spec}
}

// Nulls says where NULLs sort.
type Nulls uint8

// The NULL orderings; NullsDefault leaves it to the database.
const (
	NullsDefault Nulls = iota
	NullsFirst
	NullsLast
)

// Order is one ORDER BY term.
type Order struct {
	X     Expr
	Desc  bool
	Nulls Nulls
}

// Asc orders by x ascending.
func Asc(x Expr) Order { return Order{X: x} }

// Desc orders by x descending.
func Desc(x Expr) Order { return Order{X: x, Desc: true} }

// NullsFirst returns o with NULLs sorted first.
func (o Order) NullsFirst() Order { o.Nulls = NullsFirst; return o }

// NullsLast returns o with NULLs sorted last.
func (o Order) NullsLast() Order { o.Nulls = NullsLast; return o }

// Eq is c = v (c IS NULL for nil).
func (c *Column) Eq(v any) Expr { return Eq(c, v) }

// Ne is c <> v (c IS NOT NULL for nil).
func (c *Column) Ne(v any) Expr { return Ne(c, v) }

// Lt is c < v.
func (c *Column) Lt(v any) Expr { return Lt(c, v) }

// Le is c <= v.
func (c *Column) Le(v any) Expr { return Le(c, v) }

// Gt is c > v.
func (c *Column) Gt(v any) Expr { return Gt(c, v) }

// Ge is c >= v.
func (c *Column) Ge(v any) Expr { return Ge(c, v) }

// In is c IN (vals…); see In.
func (c *Column) In(vals ...any) Expr { return In(c, vals...) }

// InArray is c IN vals, sent as one array parameter where the dialect can
// bind arrays; see InArray.
func (c *Column) InArray(vals []any) Expr { return InArray(c, vals) }

// NotIn is c NOT IN (vals…); see In.
func (c *Column) NotIn(vals ...any) Expr { return NotIn(c, vals...) }

// Between is c BETWEEN lo AND hi.
func (c *Column) Between(lo, hi any) Expr { return Between(c, lo, hi) }

// Like is c LIKE pattern.
func (c *Column) Like(pattern any) Expr { return Like(c, pattern) }

// ILike is a case-insensitive c LIKE pattern.
func (c *Column) ILike(pattern any) Expr { return ILike(c, pattern) }

// Contains matches c containing s literally.
func (c *Column) Contains(s string) Expr { return Contains(c, s) }

// IsNull is c IS NULL.
func (c *Column) IsNull() Expr { return IsNull(c) }

// IsNotNull is c IS NOT NULL.
func (c *Column) IsNotNull() Expr { return IsNotNull(c) }

// Asc orders by c ascending.
func (c *Column) Asc() Order { return Asc(c) }

// Desc orders by c descending.
func (c *Column) Desc() Order { return Desc(c) }

// Label is c AS name.
func (c *Column) Label(name string) *LabelExpr { return Label(c, name) }

// Add is c + v.
func (c *Column) Add(v any) Expr { return Add(c, v) }

// Tuple makes the row value (items…).
func Tuple(items ...Expr) *TupleExpr { return &TupleExpr{Items: items} }

// InTuples is (cols…) IN ((v, …), …): each row holds one value per column,
// bound and typed by its column. It selects rows by composite key.
func InTuples(cols []Expr, rows [][]any) Expr {
	vals := make([]Expr, len(rows))
	for i, r := range rows {
		if len(r) != len(cols) {
			return &ErrExpr{Err: fmt.Errorf("stmt.InTuples: row %d has %d values for %d columns", i, len(r), len(cols))}
		}
		items := make([]Expr, len(r))
		for j, v := range r {
			items[j] = bind(v, cols[j])
		}
		vals[i] = &TupleExpr{Items: items}
	}
	return &InExpr{X: &TupleExpr{Items: cols}, Values: vals}
}
