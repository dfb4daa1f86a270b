package main

import (
	"context"
	"embed"
	"strings"
	"time"

	"github.com/dlayer/dlayer/orm"
)

// modelFS holds the YAML models, so the binary runs from any directory.
//
//go:embed models/*.yaml tourmodels/*.yaml
var modelFS embed.FS

// User is the seed's User: the application's own struct, bound to the YAML
// model "User" at start-up (orm.Bind), checked field by field.
type User struct {
	ID    int64
	Name  string
	Email string
	Posts []*Post // back_populates: author; cascade: all, delete-orphan
}

// BeforeInsert is a per-model hook (SQLAlchemy's before_insert event): emails
// are stored in lower case.
func (u *User) BeforeInsert(ctx context.Context, s *orm.Session) error {
	u.Email = strings.ToLower(u.Email)
	return nil
}

// Post is the seed's Post.
type Post struct {
	ID       int64
	Title    string
	Content  string
	AuthorID int64
	Created  time.Time
	Author   *User
	Tags     []*Tag // many-to-many through post_tags
}

// Tag is the seed's Tag.
type Tag struct {
	ID    int64
	Name  string
	Posts []*Post
}

// Inbox owns a write-only collection of messages (tourmodels/tour.yaml).
type Inbox struct {
	ID       int64
	OwnerID  int64
	Messages []*Message // lazy: write_only — never loaded
}

// Message is one message of an inbox.
type Message struct {
	ID      int64
	InboxID int64
	Body    string
	Sent    time.Time
}

// PageView is a reporting row that lives on a second database.
type PageView struct {
	ID     int64
	PostID int64
	Views  int64
}

// binds binds every struct of the tour to its model.
func binds() []orm.Option {
	return []orm.Option{
		orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
		orm.Bind[Inbox]("Inbox"), orm.Bind[Message]("Message"), orm.Bind[PageView]("PageView"),
		orm.Bind[Note]("Note"),
	}
}
