package bench

import "fmt"

// Model is the 8-column row every contender reads and writes: the shape of
// the go-orm-benchmarks suite's model. The table is "models"; "right" is a
// reserved word in both PostgreSQL and SQLite, so every contender must quote
// it. The gorm and bun tags are only read by those libraries.
type Model struct {
	ID      int64  `gorm:"column:id;primaryKey" bun:"id,pk,autoincrement"`
	Name    string `gorm:"column:name" bun:"name"`
	Title   string `gorm:"column:title" bun:"title"`
	Fax     string `gorm:"column:fax" bun:"fax"`
	Web     string `gorm:"column:web" bun:"web"`
	Age     int64  `gorm:"column:age" bun:"age"`
	Right   bool   `gorm:"column:right" bun:"right"`
	Counter int64  `gorm:"column:counter" bun:"counter"`
}

// NewModel returns the deterministic row number i (its ID left zero).
func NewModel(i int) Model {
	return Model{
		Name:    fmt.Sprintf("name-%d", i),
		Title:   fmt.Sprintf("title of row %d", i),
		Fax:     "+1 555 0100",
		Web:     "https://example.com/",
		Age:     int64(20 + i%60),
		Right:   i%2 == 0,
		Counter: int64(i) * 7,
	}
}

// User is a parent row for the eager-loading case: 1,000 users, 10 posts
// each.
type User struct {
	ID    int64  `gorm:"column:id;primaryKey" bun:"id,pk,autoincrement"`
	Name  string `gorm:"column:name" bun:"name"`
	Email string `gorm:"column:email" bun:"email"`
	Posts []Post `gorm:"foreignKey:UserID" bun:"rel:has-many,join:id=user_id"`
}

// Post is a child row of User.
type Post struct {
	ID     int64  `gorm:"column:id;primaryKey" bun:"id,pk,autoincrement"`
	UserID int64  `gorm:"column:user_id" bun:"user_id"`
	Title  string `gorm:"column:title" bun:"title"`
	Body   string `gorm:"column:body" bun:"body"`
}
