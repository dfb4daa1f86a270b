package dialecttest

import "github.com/dlayer/dlayer/spec"

func col(name string, t spec.Type, opts ...func(*spec.Column)) *spec.Column {
	c := &spec.Column{Name: name, Type: t}
	for _, o := range opts {
		o(c)
	}
	return c
}

func pk(c *spec.Column)       { c.PrimaryKey = true }
func autoinc(c *spec.Column)  { c.Autoincrement = true }
func nullable(c *spec.Column) { c.Nullable = true }
func unique(c *spec.Column)   { c.Unique = true }
func index(c *spec.Column)    { c.Index = true }
func comment(s string) func(*spec.Column) {
	return func(c *spec.Column) { c.Comment = s }
}
func server(d spec.Default) func(*spec.Column) {
	return func(c *spec.Column) { c.ServerDefault = &d }
}

func lit(v any) spec.Default { return spec.Default{Kind: spec.DefaultLiteral, Value: v} }

func fk(t *spec.Table, cols []*spec.Column, ref *spec.Table, refCols []*spec.Column, onDelete, onUpdate spec.Action) *spec.ForeignKey {
	f := &spec.ForeignKey{Table: t, Columns: cols, RefTable: ref, RefColumns: refCols, OnDelete: onDelete, OnUpdate: onUpdate}
	t.ForeignKeys = append(t.ForeignKeys, f)
	if len(cols) == 1 {
		cols[0].ForeignKey = f
	}
	return f
}

func table(name string, cols ...*spec.Column) *spec.Table {
	t := &spec.Table{Name: name, Columns: cols}
	for _, c := range cols {
		c.Table = t
		if c.PrimaryKey {
			t.PrimaryKey = append(t.PrimaryKey, c)
		}
	}
	return t
}

// Schema returns a representative schema: every builtin type, server
// defaults of every kind, foreign keys with actions, a composite primary
// key, indexes, uniques and checks, a self-reference, a many-to-many
// association and a foreign-key cycle (departments ⇄ employees).
func Schema() *spec.Schema {
	users := table("users",
		col("id", spec.Type{Kind: spec.TypeBigInt}, pk, autoinc),
		col("email", spec.Type{Kind: spec.TypeString, Length: 255}, unique, comment("the user's e-mail")),
		col("name", spec.Type{Kind: spec.TypeString}, index),
		col("bio", spec.Type{Kind: spec.TypeText}, nullable),
		col("active", spec.Type{Kind: spec.TypeBoolean}, server(lit(true))),
		col("score", spec.Type{Kind: spec.TypeDouble}, server(lit(0.5))),
		col("ratio", spec.Type{Kind: spec.TypeFloat}, nullable),
		col("balance", spec.Type{Kind: spec.TypeDecimal, Precision: 20, Scale: 6}, server(lit("0.000000"))),
		col("logins", spec.Type{Kind: spec.TypeInteger}, server(lit(int64(0)))),
		col("level", spec.Type{Kind: spec.TypeSmallInt}, nullable),
		col("born", spec.Type{Kind: spec.TypeDate}, nullable),
		col("wakes", spec.Type{Kind: spec.TypeTime}, nullable),
		col("created_at", spec.Type{Kind: spec.TypeTimestamp, Timezone: true}, server(spec.Default{Kind: spec.DefaultNow})),
		col("seen_at", spec.Type{Kind: spec.TypeTimestamp, Precision: 3}, nullable),
		col("token", spec.Type{Kind: spec.TypeUUID}, server(spec.Default{Kind: spec.DefaultUUID})),
		col("prefs", spec.Type{Kind: spec.TypeJSON}, nullable),
		col("avatar", spec.Type{Kind: spec.TypeBytes}, nullable),
		col("role", spec.Type{Kind: spec.TypeEnum, Values: []string{"admin", "member", "guest"}, EnumName: "user_role"}, server(lit("member"))),
		col("motto", spec.Type{Kind: spec.TypeString, Length: 100}, server(lit(`it's a "test" \ done`))),
		col("manager_id", spec.Type{Kind: spec.TypeBigInt}, nullable),
		col("joined", spec.Type{Kind: spec.TypeDate}, server(spec.Default{Kind: spec.DefaultNow})),
		col("alarm", spec.Type{Kind: spec.TypeTime, Precision: 3}, server(spec.Default{Kind: spec.DefaultNow})),
		col("ref", spec.Type{Kind: spec.TypeString, Length: 36}, server(spec.Default{Kind: spec.DefaultUUID})),
		col("code", spec.Type{Kind: spec.TypeBytes, Length: 16}, nullable, server(lit("abc"))),
		col("meta", spec.Type{Kind: spec.TypeJSON}, server(lit(`{"a": [1, "it's"]}`))),
		col("price", spec.Type{Kind: spec.TypeDecimal}, server(lit(1.25))),
		col("flag", spec.Type{Kind: spec.TypeBoolean}, server(lit("false"))),
	)
	users.Comment = "People who log in"
	fk(users, []*spec.Column{users.Columns[19]}, users, []*spec.Column{users.Columns[0]}, spec.ActionSetNull, spec.ActionNone)
	users.Checks = []*spec.Check{{Name: "ck_users_score", Expr: "score >= 0"}}

	posts := table("posts",
		col("id", spec.Type{Kind: spec.TypeInteger}, pk, autoinc),
		col("author_id", spec.Type{Kind: spec.TypeBigInt}),
		col("title", spec.Type{Kind: spec.TypeString, Length: 200}),
		col("body", spec.Type{Kind: spec.TypeText}, server(lit(""))),
		col("status", spec.Type{Kind: spec.TypeEnum, Values: []string{"draft", "published"}, EnumName: "post_status"}),
		col("published_at", spec.Type{Kind: spec.TypeTimestamp}, nullable),
		col("views", spec.Type{Kind: spec.TypeBigInt}, server(spec.Default{Kind: spec.DefaultSQL, SQL: "1 + 1"})),
	)
	fk(posts, []*spec.Column{posts.Columns[1]}, users, []*spec.Column{users.Columns[0]}, spec.ActionCascade, spec.ActionCascade)
	posts.Indexes = []*spec.Index{{Name: "ix_posts_author_published", Columns: []*spec.Column{posts.Columns[1], posts.Columns[5]}}}
	posts.Uniques = []*spec.Unique{{Name: "uq_posts_author_title", Columns: []*spec.Column{posts.Columns[1], posts.Columns[2]}}}

	tags := table("tags",
		col("id", spec.Type{Kind: spec.TypeInteger}, pk, autoinc),
		col("name", spec.Type{Kind: spec.TypeString, Length: 50}, unique),
	)
	postTags := table("post_tags",
		col("post_id", spec.Type{Kind: spec.TypeInteger}, pk),
		col("tag_id", spec.Type{Kind: spec.TypeInteger}, pk),
	)
	fk(postTags, []*spec.Column{postTags.Columns[0]}, posts, []*spec.Column{posts.Columns[0]}, spec.ActionCascade, spec.ActionNone)
	fk(postTags, []*spec.Column{postTags.Columns[1]}, tags, []*spec.Column{tags.Columns[0]}, spec.ActionRestrict, spec.ActionNoAction)
	postTags.Indexes = []*spec.Index{{Name: "ix_post_tags_tag", Columns: []*spec.Column{postTags.Columns[1]}}}

	departments := table("departments",
		col("id", spec.Type{Kind: spec.TypeInteger}, pk),
		col("name", spec.Type{Kind: spec.TypeString, Length: 80}),
		col("head_id", spec.Type{Kind: spec.TypeInteger}, nullable),
	)
	employees := table("employees",
		col("id", spec.Type{Kind: spec.TypeInteger}, pk),
		col("department_id", spec.Type{Kind: spec.TypeInteger}),
		col("badge", spec.Type{Kind: spec.TypeString, Length: 20}),
	)
	fk(departments, []*spec.Column{departments.Columns[2]}, employees, []*spec.Column{employees.Columns[0]}, spec.ActionNone, spec.ActionNone)
	fk(employees, []*spec.Column{employees.Columns[1]}, departments, []*spec.Column{departments.Columns[0]}, spec.ActionNone, spec.ActionNone)
	employees.Uniques = []*spec.Unique{{Name: "uq_employees_dept_badge", Columns: []*spec.Column{employees.Columns[1], employees.Columns[2]}}}

	user := &spec.Model{Name: "User", Table: users}
	post := &spec.Model{Name: "Post", Table: posts}
	tag := &spec.Model{Name: "Tag", Table: tags}
	dept := &spec.Model{Name: "Department", Table: departments}
	emp := &spec.Model{Name: "Employee", Table: employees}
	users.Model, posts.Model, tags.Model, departments.Model, employees.Model = user, post, tag, dept, emp
	user.Relationships = []*spec.Relationship{
		{Name: "posts", Model: user, Target: post, Kind: spec.OneToMany, UseList: true,
			Pairs: []spec.ColumnPair{{Local: users.Columns[0], Remote: posts.Columns[1]}}},
		{Name: "manager", Model: user, Target: user, Kind: spec.ManyToOne, FKOnOwner: true,
			Pairs: []spec.ColumnPair{{Local: users.Columns[19], Remote: users.Columns[0]}}},
	}
	post.Relationships = []*spec.Relationship{
		{Name: "author", Model: post, Target: user, Kind: spec.ManyToOne, FKOnOwner: true,
			Pairs: []spec.ColumnPair{{Local: posts.Columns[1], Remote: users.Columns[0]}}},
		{Name: "tags", Model: post, Target: tag, Kind: spec.ManyToMany, UseList: true, Secondary: postTags,
			Pairs:          []spec.ColumnPair{{Local: posts.Columns[0], Remote: postTags.Columns[0]}},
			SecondaryPairs: []spec.ColumnPair{{Local: postTags.Columns[1], Remote: tags.Columns[0]}}},
	}
	s := &spec.Schema{
		Models: []*spec.Model{user, post, tag, dept, emp},
		Tables: []*spec.Table{users, posts, tags, postTags, departments, employees},
	}
	s.Index()
	return s
}

// Hostile payloads used both as values and as identifiers.
var Payloads = []string{
	`'; DROP TABLE users; --`,
	`" OR "1"="1`,
	"` OR 1=1 #",
	`1 - -1`,
	`x--comment`,
	`/* comment */`,
	`$$; DROP TABLE users; $$`,
	`$tag$ evil $tag$`,
	`\'; DROP TABLE users; --`,
	`\\`,
	"\xbf\x27 OR 1=1 --",
	"\xbf\x5c\x27 OR 1=1",
	"nul\x00byte",
	`100%_off`,
	`:param ::cast`,
	`?`,
	`$1`,
	"line\nbreak\r\n\t",
	"emoji 😀 ünïcödé",
}

// HostileSchema returns a schema whose table and column names are attack
// strings: quoting must keep every one of them an identifier.
func HostileSchema() *spec.Schema {
	t := table("ev\"il`tab'le; --",
		col("id", spec.Type{Kind: spec.TypeInteger}, pk),
		col(`co"l`+"`"+`--`, spec.Type{Kind: spec.TypeString, Length: 40}),
		col(`x'); DROP TABLE users; --`, spec.Type{Kind: spec.TypeText}, nullable),
		col(`$$dollar$$`, spec.Type{Kind: spec.TypeEnum, Values: []string{`it's`, `back\slash`}, EnumName: `en"um`}, nullable),
	)
	t.Columns[1].Comment = `com'ment \ */ --`
	m := &spec.Model{Name: "Evil", Table: t}
	t.Model = m
	s := &spec.Schema{Models: []*spec.Model{m}, Tables: []*spec.Table{t}}
	s.Index()
	return s
}
