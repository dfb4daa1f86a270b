package enginetest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func testRecords(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	addUser(t, e, f, "ann@example.com", "Ann", int64(41))
	addUser(t, e, f, "bob@example.com", nil, nil)
	recs, err := engine.Records(ctx, e, stmt.Select(f.U.C("email"), f.U.C("name"), f.U.C("age"), f.U.C("active")).
		OrderBy(f.U.C("email").Asc()))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	r := recs[0]
	checkEq(t, "columns in order", r.Columns(), []string{"email", "name", "age", "active"})
	if s, err := r.String("email"); err != nil || s != "ann@example.com" {
		t.Errorf("String(email) = %q, %v", s, err)
	}
	if s, err := r.StringAt(1); err != nil || s != "Ann" {
		t.Errorf("StringAt(1) = %q, %v", s, err)
	}
	if n, err := r.Int64("age"); err != nil || n != 41 {
		t.Errorf("Int64(age) = %d, %v", n, err)
	}
	if b, err := r.Bool("active"); err != nil || !b {
		t.Errorf("Bool(active) = %v, %v", b, err)
	}
	if v, err := r.Any("age"); err != nil || v != int64(41) {
		t.Errorf("Any(age) = %#v (%T), %v; want int64(41)", v, v, err)
	}
	if v, _ := r.Any("active"); v != true {
		t.Errorf("Any(active) = %#v (%T), want true: booleans are normalised", v, v)
	}
	if _, err := r.Int64("nope"); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := r.Int64At(9); err == nil {
		t.Error("index out of range gave no error")
	}
	if _, err := r.Int64("email"); err == nil {
		t.Error("Int64 of a text value gave no error")
	}
	nul := recs[1]
	if !nul.IsNull("name") || !nul.IsNull("age") {
		t.Errorf("IsNull: name %v age %v", nul.IsNull("name"), nul.IsNull("age"))
	}
	if _, err := nul.Int64("age"); err == nil || !strings.Contains(err.Error(), "NULL") {
		t.Errorf("Int64 of NULL: %v", err)
	}
	// Records of raw text.
	recs, err = engine.Records(ctx, e, stmt.Text("SELECT 7 AS seven, 'x' AS ex"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("raw text records: %v %v", recs, err)
	}
	if n, err := recs[0].Int64("seven"); err != nil || n != 7 {
		t.Errorf("raw Int64 = %d, %v", n, err)
	}
	if s, err := recs[0].String("ex"); err != nil || s != "x" {
		t.Errorf("raw String = %q, %v", s, err)
	}
}

type base struct {
	ID int64
}

type userRow struct {
	base
	Email    string
	FullName *string `db:"name"`
	Age      *int64
	Active   bool
	Ignored  string `db:"-"`
	private  int    //nolint:unused // must be skipped
}

type userNoAge struct {
	ID    int64
	Email string
}

type userWrongType struct {
	Email int64
}

type userNotNullName struct {
	Email string
	Name  string
}

func testStructScan(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	ann := addUser(t, e, f, "ann@example.com", "Ann", int64(41))
	addUser(t, e, f, "bob@example.com", nil, nil)
	all := stmt.Select(f.U).OrderBy(f.U.C("email").Asc())

	users, err := engine.All[userRow](ctx, e, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 {
		t.Fatalf("got %d users", len(users))
	}
	u := users[0]
	if u.ID != ann || u.Email != "ann@example.com" || u.FullName == nil || *u.FullName != "Ann" ||
		u.Age == nil || *u.Age != 41 || !u.Active {
		t.Errorf("users[0] = %+v", u)
	}
	if users[1].FullName != nil || users[1].Age != nil {
		t.Errorf("NULLs into pointers: %+v", users[1])
	}
	// A second query reuses the cached plan and gives the same result.
	again, err := engine.All[userRow](ctx, e, all)
	if err != nil || len(again) != 2 || again[0].Email != u.Email {
		t.Errorf("cached plan: %v %v", again, err)
	}

	t.Run("column without field", func(t *testing.T) {
		_, err := engine.All[userNoAge](ctx, e, all)
		if err == nil || !strings.Contains(err.Error(), `"name"`) || !strings.Contains(err.Error(), "userNoAge") {
			t.Errorf("got %v, want an error naming column \"name\" and the type", err)
		}
	})
	t.Run("incompatible type", func(t *testing.T) {
		_, err := engine.All[userWrongType](ctx, e, stmt.Select(f.U.C("email")))
		if err == nil || !strings.Contains(err.Error(), "Email") || !strings.Contains(err.Error(), "string column") {
			t.Errorf("got %v, want an error naming field Email and its column type", err)
		}
	})
	t.Run("NULL into non-pointer", func(t *testing.T) {
		_, err := engine.All[userNotNullName](ctx, e, stmt.Select(f.U.C("email"), f.U.C("name")).OrderBy(f.U.C("email").Asc()))
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "null") {
			t.Errorf("got %v, want a NULL error", err)
		}
	})
	t.Run("scalars", func(t *testing.T) {
		n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.U))
		if err != nil || n != 2 {
			t.Errorf("count = %d, %v", n, err)
		}
		emails, err := engine.All[string](ctx, e, stmt.Select(f.U.C("email")).OrderBy(f.U.C("email").Desc()))
		if err != nil {
			t.Fatal(err)
		}
		checkEq(t, "emails", emails, []string{"bob@example.com", "ann@example.com"})
		ages, err := engine.All[*int64](ctx, e, stmt.Select(f.U.C("age")).OrderBy(f.U.C("email").Asc()))
		if err != nil || len(ages) != 2 || ages[0] == nil || *ages[0] != 41 || ages[1] != nil {
			t.Errorf("nullable scalars = %v, %v", ages, err)
		}
		if _, err := engine.All[string](ctx, e, all); err == nil {
			t.Error("scalar type for a many-column result gave no error")
		}
		if _, err := engine.Scalar[int64](ctx, e, all); err == nil {
			t.Error("Scalar of a many-column result gave no error")
		}
	})
	t.Run("one and first", func(t *testing.T) {
		one, err := engine.One[userRow](ctx, e, stmt.Select(f.U).Where(f.U.C("id").Eq(ann)))
		if err != nil || one.Email != "ann@example.com" {
			t.Errorf("One = %+v, %v", one, err)
		}
		first, err := engine.First[userRow](ctx, e, all)
		if err != nil || first.Email != "ann@example.com" {
			t.Errorf("First = %+v, %v", first, err)
		}
		if _, err := engine.One[userRow](ctx, e, all); !errors.Is(err, engine.ErrTooManyRows) {
			t.Errorf("One of two rows: %v, want ErrTooManyRows", err)
		}
	})
}

func testNotFound(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	none := stmt.Select(f.U).Where(f.U.C("id").Eq(int64(-1)))
	_, err := engine.One[userRow](ctx, e, none)
	if !errors.Is(err, engine.ErrNotFound) || !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("One: %v, want ErrNotFound matching sql.ErrNoRows", err)
	}
	if _, err := engine.First[userRow](ctx, e, none); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("First: %v", err)
	}
	if _, err := engine.Scalar[int64](ctx, e, stmt.Select(f.U.C("id")).Where(f.U.C("id").Eq(int64(-1)))); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("Scalar: %v", err)
	}
	all, err := engine.All[userRow](ctx, e, none)
	if err != nil || len(all) != 0 {
		t.Errorf("All of nothing = %v, %v; want empty and no error", all, err)
	}
}

// testRowsLifecycle: a Rows answers after its end as it did before (the
// drivers' row buffers are pooled and handed back at the end), several
// Rows open at once never share a buffer, and a buffer used before holds
// nothing of its last result.
func testRowsLifecycle(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	addUser(t, e, f, "ann@example.com", "Ann", int64(41))
	addUser(t, e, f, "bob@example.com", nil, nil)
	seedNums(t, e, f, 5)

	t.Run("after the end", func(t *testing.T) {
		rows, err := e.Query(ctx, stmt.Select(f.U.C("email"), f.U.C("name")).OrderBy(f.U.C("email").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if n != 2 {
			t.Fatalf("read %d rows, want 2", n)
		}
		checkEq(t, "columns after the end", rows.Columns(), []string{"email", "name"})
		var s string
		var p *string
		if err := rows.Scan(&s, &p); err == nil {
			t.Error("Scan after the end gave no error")
		}
		if rows.Next() {
			t.Error("Next after the end gave a row")
		}
		if err := rows.Err(); err != nil {
			t.Errorf("Err after a clean end: %v", err)
		}
		if err := rows.Close(); err != nil {
			t.Errorf("Close after the end: %v", err)
		}
		if err := rows.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})

	t.Run("interleaved", func(t *testing.T) {
		// Two cursors open together, one per connection of the pool (one
		// connection holds one cursor on PostgreSQL and MySQL), read in
		// turns.
		run := func(t *testing.T, q engine.Querier) {
			users, err := q.Query(ctx, stmt.Select(f.U.C("email"), f.U.C("name"), f.U.C("age")).OrderBy(f.U.C("email").Asc()))
			if err != nil {
				t.Fatal(err)
			}
			defer users.Close()
			nums, err := q.Query(ctx, stmt.Select(f.N.C("n")).OrderBy(f.N.C("n").Asc()))
			if err != nil {
				t.Fatal(err)
			}
			defer nums.Close()
			var got []any
			for i := 0; i < 5; i++ {
				if users.Next() {
					var email string
					var name *string
					var age *int64
					if err := users.Scan(&email, &name, &age); err != nil {
						t.Fatal(err)
					}
					got = append(got, email, name != nil, age != nil)
				}
				if !nums.Next() {
					t.Fatalf("nums ended after %d rows: %v", i, nums.Err())
				}
				var n int64
				if err := nums.Scan(&n); err != nil {
					t.Fatal(err)
				}
				got = append(got, n)
			}
			checkEq(t, "interleaved values", got, []any{"ann@example.com", true, true, int64(0),
				"bob@example.com", false, false, int64(1), int64(2), int64(3), int64(4)})
		}
		run(t, e)
	})

	t.Run("reused buffers hold nothing old", func(t *testing.T) {
		for i := 0; i < 20; i++ {
			email := "ann@example.com"
			if i%2 == 1 {
				email = "bob@example.com"
			}
			var v []any
			rows, err := e.Query(ctx, stmt.Select(f.U.C("name"), f.U.C("age")).Where(f.U.C("email").Eq(email)))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var name, age any
				if err := rows.Scan(&name, &age); err != nil {
					t.Fatal(err)
				}
				v = append(v, name, age)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if i%2 == 1 && (len(v) != 2 || v[0] != nil || v[1] != nil) {
				t.Fatalf("bob's NULLs read as %#v", v)
			}
			if i%2 == 0 && (len(v) != 2 || v[0] == nil || v[1] == nil) {
				t.Fatalf("ann's values read as %#v", v)
			}
		}
	})
}
