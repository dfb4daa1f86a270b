package stmt

// Statement is any compilable statement: *Select, *Insert, *Update, *Delete
// or *Text.
type Statement interface {
	statement()
}
