package dlayer_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/sqldb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// apiPackages are the packages whose every exported function and method the
// bad-input sweep calls (orm, loader and migrate have their own).
var apiPackages = []string{"engine", "stmt", "dialects", "dialects/sqlgen", "dialects/postgres",
	"dialects/mysql", "dialects/sqlite", "internal/sqldb", "."}

// apiFuncs lists every exported package-level function of apiPackages,
// generic ones instantiated. TestAPIBadInputCoversEverything keeps it
// complete.
var apiFuncs = map[string]any{
	"engine.All": engine.All[int64], "engine.CollectRows": engine.CollectRows[int64], "engine.First": engine.First[int64],
	"engine.IsForeignKey": engine.IsForeignKey, "engine.IsRetryable": engine.IsRetryable, "engine.IsUnique": engine.IsUnique,
	"engine.New": engine.New, "engine.One": engine.One[int64], "engine.Open": engine.Open, "engine.Records": engine.Records,
	"engine.Scalar": engine.Scalar[int64], "engine.SnakeCase": engine.SnakeCase, "engine.Stream": engine.Stream[int64],
	"engine.WithConnMaxIdleTime": engine.WithConnMaxIdleTime, "engine.WithConnMaxLifetime": engine.WithConnMaxLifetime,
	"engine.WithLogArgs": engine.WithLogArgs, "engine.WithLogLevel": engine.WithLogLevel, "engine.WithLogger": engine.WithLogger,
	"engine.WithMaxIdleConns": engine.WithMaxIdleConns, "engine.WithMaxOpenConns": engine.WithMaxOpenConns,
	"engine.WithPool": engine.WithPool, "engine.WithSchema": engine.WithSchema,
	"engine.WithSingleStatementText": engine.WithSingleStatementText, "engine.WithTracer": engine.WithTracer, "engine.WithStatementCheck": engine.WithStatementCheck,
	"engine.Retry": engine.Retry, "engine.NewTxConfig": engine.NewTxConfig, "engine.WithRetry": engine.WithRetry,
	"engine.WithIsolation": engine.WithIsolation, "engine.WithReadOnly": engine.WithReadOnly,
	"engine.WithTxOptions": engine.WithTxOptions, "engine.WithName": engine.WithName,
	"engine.WithLazyConnect": engine.WithLazyConnect, "engine.WithRoute": engine.WithRoute,
	"dialects.IsConnectionError": dialects.IsConnectionError, "dialects.NewCompiled": dialects.NewCompiled,

	"stmt.Add": stmt.Add, "stmt.And": stmt.And, "stmt.Asc": stmt.Asc, "stmt.Assign": stmt.Assign, "stmt.Avg": stmt.Avg,
	"stmt.Between": stmt.Between, "stmt.Coalesce": stmt.Coalesce, "stmt.Contains": stmt.Contains,
	"stmt.ContainsFold": stmt.ContainsFold, "stmt.Count": stmt.Count, "stmt.CountAll": stmt.CountAll,
	"stmt.CountDistinct": stmt.CountDistinct, "stmt.Delete": stmt.Delete, "stmt.Desc": stmt.Desc, "stmt.Div": stmt.Div,
	"stmt.EndsWith": stmt.EndsWith, "stmt.Eq": stmt.Eq, "stmt.EscapeLike": stmt.EscapeLike, "stmt.Excluded": stmt.Excluded,
	"stmt.Exists": stmt.Exists, "stmt.Ge": stmt.Ge, "stmt.Gt": stmt.Gt, "stmt.ILike": stmt.ILike, "stmt.In": stmt.In, "stmt.InArray": stmt.InArray,
	"stmt.InTuples": stmt.InTuples, "stmt.Insert": stmt.Insert, "stmt.IsNotNull": stmt.IsNotNull, "stmt.IsNull": stmt.IsNull,
	"stmt.Label": stmt.Label, "stmt.Le": stmt.Le, "stmt.Like": stmt.Like, "stmt.Lower": stmt.Lower, "stmt.Lt": stmt.Lt,
	"stmt.Max": stmt.Max, "stmt.Min": stmt.Min, "stmt.Mul": stmt.Mul, "stmt.NamedParam": stmt.NamedParam, "stmt.Ne": stmt.Ne,
	"stmt.Not": stmt.Not, "stmt.NotBetween": stmt.NotBetween, "stmt.NotExists": stmt.NotExists,
	"stmt.NotILike": stmt.NotILike, "stmt.NotIn": stmt.NotIn, "stmt.NotLike": stmt.NotLike, "stmt.Or": stmt.Or,
	"stmt.Ref": stmt.Ref, "stmt.RelJoins": stmt.RelJoins, "stmt.Scalar": stmt.Scalar, "stmt.Select": stmt.Select,
	"stmt.StartsWith": stmt.StartsWith, "stmt.Sub": stmt.Sub, "stmt.Sum": stmt.Sum, "stmt.TableOf": stmt.TableOf,
	"stmt.Text": stmt.Text, "stmt.Tuple": stmt.Tuple, "stmt.TypeOf": stmt.TypeOf, "stmt.Update": stmt.Update,
	"stmt.Upper": stmt.Upper, "stmt.Val": stmt.Val, "stmt.Typed": stmt.Typed, "stmt.RowNumber": stmt.RowNumber,

	"dialects.CheckSchema": dialects.CheckSchema, "dialects.CheckNative": dialects.CheckNative, "dialects.CheckNoArrays": dialects.CheckNoArrays,
	"dialects.CheckNoMaterializedViews": dialects.CheckNoMaterializedViews, "dialects.CheckNoPartitions": dialects.CheckNoPartitions, "dialects.RunChecks": dialects.RunChecks,
	"dialects.StoredComputedOnly": dialects.StoredComputedOnly, "dialects.ComputedNullable": dialects.ComputedNullable,
	"dialects.NoUnsigned": dialects.NoUnsigned, "dialects.NoServerOnUpdate": dialects.NoServerOnUpdate,
	"dialects.NoFulltext": dialects.NoFulltext, "dialects.EnumLabelBytes": dialects.EnumLabelBytes,
	"dialects.FixedMaxLength": dialects.FixedMaxLength, "dialects.NoPostgresCasts": dialects.NoPostgresCasts,
	"dialects.NoBackquotes": dialects.NoBackquotes,
	"dialects.ColumnDef":    dialects.ColumnDef, "dialects.CreateAllSQL": dialects.CreateAllSQL,
	"dialects.DropAllSQL": dialects.DropAllSQL, "dialects.IsRetryable": dialects.IsRetryable,
	"dialects.Lookup": dialects.Lookup, "dialects.Open": dialects.Open, "dialects.Redact": dialects.Redact, "dialects.ParseURL": dialects.ParseURL, "dialects.SplitScheme": dialects.SplitScheme, "dialects.WithScheme": dialects.WithScheme, "dialects.RedactError": dialects.RedactError,
	"dialects.RedactBetween": dialects.RedactBetween, "dialects.Register": dialects.Register,
	"dialects.Retryable": dialects.Retryable, "dialects.Scheme": dialects.Scheme, "dialects.Schemes": dialects.Schemes,
	"dialects.SortTables": dialects.SortTables,

	"sqlgen.EnumTypeName": sqlgen.EnumTypeName, "sqlgen.FKName": sqlgen.FKName, "sqlgen.New": sqlgen.New,

	"postgres.ColumnType": postgres.ColumnType, "postgres.Default": postgres.Default, "postgres.Inspect": postgres.Inspect,
	"postgres.New": postgres.New, "postgres.OpenPool": postgres.OpenPool, "postgres.RedactErrorText": postgres.RedactErrorText,
	"postgres.TranslateError": postgres.TranslateError, "postgres.Wrap": postgres.Wrap, "postgres.ConnString": postgres.ConnString,

	"mysql.ColumnType": mysql.ColumnType, "mysql.Config": mysql.Config, "mysql.Default": mysql.Default,
	"mysql.EncodeArgs": mysql.EncodeArgs, "mysql.Inspect": mysql.Inspect, "mysql.New": mysql.New,
	"mysql.OpenPool": mysql.OpenPool, "mysql.RedactErrorText": mysql.RedactErrorText,
	"mysql.TranslateError": mysql.TranslateError, "mysql.Wrap": mysql.Wrap,

	"sqlite.ColumnType": sqlite.ColumnType, "sqlite.DSN": sqlite.DSN, "sqlite.Default": sqlite.Default,
	"sqlite.EncodeArgs": sqlite.EncodeArgs, "sqlite.Inspect": sqlite.Inspect, "sqlite.New": sqlite.New,
	"sqlite.OpenPool": sqlite.OpenPool, "sqlite.TranslateError": sqlite.TranslateError, "sqlite.Wrap": sqlite.Wrap,

	"sqldb.New": sqldb.New, "sqldb.Result": sqldb.Result,
	"sqldb.NewConnector": sqldb.NewConnector, "sqldb.DriverConnector": sqldb.DriverConnector,
	"sqldb.ParseStatementCache": sqldb.ParseStatementCache,

	"dlayer.LoadSchema": dlayer.LoadSchema, "dlayer.Open": dlayer.Open,
}

// apiReceivers returns, per exported type with exported methods, receiver
// values in bad states: nil, zero, closed or finished.
func apiReceivers(t *testing.T) map[string][]receiver {
	ctx := context.Background()
	live, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	closedEng, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	abandoned, err := closedEng.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = closedEng.Close()
	committed, err := live.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := committed.Savepoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := committed.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	closedRows, err := live.Query(ctx, stmt.Text("SELECT 1"))
	if err != nil {
		t.Fatal(err)
	}
	closedRows.Close()
	closedPool, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	closedPool.Close()
	recs, err := engine.Records(ctx, live, stmt.Text("SELECT 1 AS a"))
	if err != nil {
		t.Fatal(err)
	}
	r := map[string][]receiver{
		"engine.Engine": {{"nil", (*engine.Engine)(nil)}, {"zero", &engine.Engine{}}, {"New(nil, nil)", engine.New(nil, nil, nil)},
			{"closed", closedEng}},
		"engine.Tx": {{"nil", (*engine.Tx)(nil)}, {"zero", &engine.Tx{}}, {"committed", committed},
			{"rolled back by Close", abandoned}},
		"engine.Savepoint":         {{"nil", (*engine.Savepoint)(nil)}, {"zero", &engine.Savepoint{}}, {"released", sp}},
		"engine.Rows":              {{"nil", (*engine.Rows)(nil)}, {"zero", &engine.Rows{}}, {"closed", closedRows}},
		"engine.Record":            {{"zero", engine.Record{}}, {"zero pointer", &engine.Record{}}, {"one column", recs[0]}},
		"engine.TracerFunc":        {{"nil", engine.TracerFunc(nil)}},
		"dialects.Change":          {{"zero", dialects.Change{}}},
		"dialects.ChangeKind":      {{"zero", dialects.ChangeKind(0)}, {"out of range", dialects.ChangeKind(-1)}},
		"dialects.Compiled":        {{"zero", &dialects.Compiled{}}, {"names without args", &dialects.Compiled{ParamNames: []string{"a", ""}}}},
		"dialects.ConstraintError": {{"zero", &dialects.ConstraintError{}}},
		"dialects.ConstraintKind":  {{"out of range", dialects.ConstraintKind(-1)}},
		"dialects.Feature":         {{"zero", dialects.Feature(0)}},
		"dialects.NameScope":       {{"zero", dialects.NameScope{}}, {"everything", dialects.NameScope{Tables: true, Indexes: true, Uniques: true, ForeignKeys: true, Checks: true}}},
		"sqlgen.Base":              {{"New(zero Config)", sqlgen.New(sqlgen.Config{})}},
		"postgres.Dialect":         {{"default", postgres.Default()}, {"New()", postgres.New()}},
		"mysql.Dialect":            {{"default", mysql.Default()}, {"New()", mysql.New()}},
		"sqlite.Dialect":           {{"default", sqlite.Default()}, {"New()", sqlite.New()}},
		"postgres.Pool":            append([]receiver{{"Wrap(nil)", postgres.Wrap(nil)}}, closedServerPools(t, "DLAYER_TEST_POSTGRES_URL")...),
		// postgres.Tx and postgres.Rows are made only by a Pool; swept
		// through engine.Tx and engine.Rows.
		"postgres.Tx":     nil,
		"postgres.Rows":   nil,
		"sqldb.Pool":      append([]receiver{{"New(nil)", sqldb.New(nil, sqldb.Config{})}, {"closed", closedPool}}, closedServerPools(t, "DLAYER_TEST_MYSQL_URL")...),
		"sqldb.Connector": {{"zero", &sqldb.Connector{}}, {"NewConnector(nil)", sqldb.NewConnector(nil, sqldb.StatementCache{Size: 1})}},
		// sqldb.Rows is made only by a Pool; swept through engine.Rows.
		"sqldb.Rows":        nil,
		"stmt.Column":       {{"zero", &stmt.Column{}}, {"of Ref(nil)", stmt.Ref(nil).C("x")}},
		"stmt.DeleteStmt":   {{"zero", &stmt.DeleteStmt{}}, {"Delete(nil)", stmt.Delete(nil)}},
		"stmt.Fn":           {{"out of range", stmt.Fn(255)}},
		"stmt.FuncExpr":     {{"zero", &stmt.FuncExpr{}}},
		"stmt.InsertStmt":   {{"zero", &stmt.InsertStmt{}}, {"Insert(nil)", stmt.Insert(nil)}},
		"stmt.Op":           {{"out of range", stmt.Op(255)}},
		"stmt.Order":        {{"zero", &stmt.Order{}}},
		"stmt.SelectStmt":   {{"zero", &stmt.SelectStmt{}}, {"Select()", stmt.Select()}},
		"stmt.SubqueryExpr": {{"zero", &stmt.SubqueryExpr{}}},
		"stmt.Table": {{"zero", &stmt.Table{}}, {"Ref(nil)", stmt.Ref(nil)}, {"TableOf(nil)", stmt.TableOf(nil, "")},
			{"Derived of Select()", stmt.Select().Derived("d")}, {"Derived of a nil select", (*stmt.SelectStmt)(nil).Derived("d")}},
		"stmt.TextParts":  {{"zero", stmt.TextParts{}}},
		"stmt.TextStmt":   {{"zero", &stmt.TextStmt{}}, {"Text(\"\")", stmt.Text("")}},
		"stmt.UpdateStmt": {{"zero", &stmt.UpdateStmt{}}, {"Update(nil)", stmt.Update(nil)}},
		"stmt.WindowExpr": {{"zero", &stmt.WindowExpr{}}, {"RowNumber(nil)", stmt.RowNumber(nil)}},
	}
	return r
}

// closedServerPools opens and closes a pool on the server the environment
// variable names, when it is set (the sweep runs without servers too).
func closedServerPools(t *testing.T, env string) []receiver {
	url := os.Getenv(env)
	if url == "" {
		return nil
	}
	_, p, err := dialects.Open(context.Background(), url, dialects.PoolOptions{})
	if err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return []receiver{{"closed " + env, p}}
}

type receiver struct {
	state string
	v     any
}

// argSet names a way of filling a call's arguments.
type argSet int

const (
	argsNil       argSet = iota // nil pointers, interfaces, slices, maps, funcs; "" and 0
	argsEmpty                   // non-nil but empty: &T{}, []T{}, map{}
	argsCancelled               // a cancelled context, empty other arguments
	argsNilCtx                  // a nil context, empty other arguments
)

func (a argSet) String() string {
	return [...]string{"nil args", "empty args", "cancelled context", "nil context"}[a]
}

var ctxType = reflect.TypeFor[context.Context]()

func makeArg(t reflect.Type, set argSet, cancelled context.Context) reflect.Value {
	if t == ctxType {
		switch set {
		case argsCancelled:
			return reflect.ValueOf(cancelled)
		case argsNilCtx:
			return reflect.Zero(t)
		}
		return reflect.ValueOf(cancelled) // never run real I/O with bad arguments
	}
	if set == argsNil {
		return reflect.Zero(t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.New(t.Elem())
	case reflect.Slice:
		return reflect.MakeSlice(t, 0, 0)
	case reflect.Map:
		return reflect.MakeMap(t)
	}
	return reflect.Zero(t)
}

// call calls fn with arguments of the given set and reports a panic, with
// its stack, as an error. A returned iterator is drained.
func call(fn reflect.Value, set argSet, cancelled context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	ft := fn.Type()
	n := ft.NumIn()
	if ft.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for i := range args {
		args[i] = makeArg(ft.In(i), set, cancelled)
	}
	if ft.IsVariadic() && set != argsEmpty {
		// One element of the variadic kind, nil or empty.
		args = append(args, makeArg(ft.In(n).Elem(), set, cancelled))
	}
	done := make(chan []reflect.Value, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- []reflect.Value{reflect.ValueOf(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))}
			}
		}()
		out := fn.Call(args)
		for _, o := range out {
			drain(o)
		}
		done <- out
	}()
	select {
	case out := <-done:
		if len(out) == 1 {
			if e, ok := out[0].Interface().(error); ok && strings.HasPrefix(e.Error(), "panic: ") {
				return e
			}
		}
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("hung for 10s")
	}
}

// drain runs an iterator result (func(yield func(K, V) bool)) to its end.
func drain(v reflect.Value) {
	t := v.Type()
	if t.Kind() != reflect.Func || v.IsNil() || t.NumIn() != 1 || t.NumOut() != 0 {
		return
	}
	yt := t.In(0)
	if yt.Kind() != reflect.Func || yt.NumOut() != 1 || yt.Out(0).Kind() != reflect.Bool {
		return
	}
	yield := reflect.MakeFunc(yt, func([]reflect.Value) []reflect.Value { return []reflect.Value{reflect.ValueOf(true)} })
	v.Call([]reflect.Value{yield})
}

// TestAPIBadInput calls every exported function and method of apiPackages
// with nil, empty and cancelled (and nil) context arguments, and every
// method on nil, zero, closed and finished receivers: none may panic or
// hang. Issue 9 item 3.
func TestAPIBadInput(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	names := make([]string, 0, len(apiFuncs))
	for name := range apiFuncs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "dialects.Register" {
			continue // registers globally; see TestAPIBadInputErrors
		}
		fn := reflect.ValueOf(apiFuncs[name])
		for set := argsNil; set <= argsNilCtx; set++ {
			if err := call(fn, set, cancelled); err != nil {
				t.Errorf("%s with %s: %v", name, set, err)
			}
		}
	}
	recvs := apiReceivers(t)
	types := make([]string, 0, len(recvs))
	for name := range recvs {
		types = append(types, name)
	}
	sort.Strings(types)
	for _, typ := range types {
		for _, r := range recvs[typ] {
			v := reflect.ValueOf(r.v)
			for i := 0; i < v.NumMethod(); i++ {
				m := v.Type().Method(i)
				for set := argsNil; set <= argsNilCtx; set++ {
					if err := call(v.Method(i), set, cancelled); err != nil {
						t.Errorf("(%s %s).%s with %s: %v", r.state, typ, m.Name, set, err)
					}
				}
			}
		}
	}
}

// TestAPIBadInputCoversEverything fails when an exported function or a type
// with exported methods of apiPackages is missing from the sweep.
func TestAPIBadInputCoversEverything(t *testing.T) {
	recvs := apiReceivers(t)
	for _, dir := range apiPackages {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			pkg := p.Name
			if dir != "." {
				pkg = filepath.Base(dir)
			}
			for _, f := range p.Files {
				for _, d := range f.Decls {
					fd, ok := d.(*ast.FuncDecl)
					if !ok || !fd.Name.IsExported() {
						continue
					}
					if fd.Recv == nil {
						if _, ok := apiFuncs[pkg+"."+fd.Name.Name]; !ok {
							t.Errorf("%s.%s is not in apiFuncs", pkg, fd.Name.Name)
						}
						continue
					}
					rt := fd.Recv.List[0].Type
					if s, ok := rt.(*ast.StarExpr); ok {
						rt = s.X
					}
					if ix, ok := rt.(*ast.IndexExpr); ok {
						rt = ix.X
					}
					id, ok := rt.(*ast.Ident)
					if !ok || !id.IsExported() {
						continue
					}
					if _, ok := recvs[pkg+"."+id.Name]; !ok {
						t.Errorf("%s.%s has exported methods (%s) but no receivers in apiReceivers", pkg, id.Name, fd.Name.Name)
					}
				}
			}
		}
	}
}

// TestAPIBadInputErrors checks that the entry points that can fail report
// nil, empty, closed and cancelled arguments as errors (the sweep above only
// proves they do not panic).
func TestAPIBadInputErrors(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var nilCtx context.Context
	live, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	closed, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	abandoned, err := closed.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = closed.Close()
	done, err := live.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := done.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	closedPool, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	closedPool.Close()
	one := stmt.Text("SELECT 1")
	s := &spec.Schema{Tables: []*spec.Table{{Name: "t", Columns: []*spec.Column{{Name: "x", Type: spec.Type{Kind: spec.TypeInteger}}}}}}
	s.Index()
	first := func(_ any, err error) error { return err }
	seqErr := func(seq func(func(int64, error) bool)) (out error) {
		seq(func(_ int64, err error) bool {
			if err != nil {
				out = err
			}
			return true
		})
		return out
	}
	tests := []struct {
		name string
		err  error
		want error // nil: any error
	}{
		{"engine.Open nil context", first(engine.Open(nilCtx, "sqlite::memory:")), dialects.ErrNilContext},
		{"engine.Open empty URL", first(engine.Open(ctx, "")), nil},
		{"engine.Open unknown scheme", first(engine.Open(ctx, "nosuch://x")), dialects.ErrNoDialect},
		{"engine.Open cancelled", first(engine.Open(cancelled, "sqlite::memory:")), context.Canceled},
		{"nil Engine Exec", first((*engine.Engine)(nil).Exec(ctx, one)), nil},
		{"zero Engine Query", first((&engine.Engine{}).Query(ctx, one)), nil},
		{"New(nil, nil) Begin", first(engine.New(nil, nil, nil).Begin(ctx, engine.TxOptions{})), nil},
		{"nil Engine Ping", (*engine.Engine)(nil).Ping(ctx), nil},
		{"nil Engine Usable", (*engine.Engine)(nil).Usable(), nil},
		{"closed Usable", closed.Usable(), engine.ErrClosed},
		{"nil Tx ExecBatch", first((*engine.Tx)(nil).ExecBatch(ctx, []stmt.Statement{one})), nil},
		{"closed Exec", first(closed.Exec(ctx, one)), engine.ErrClosed},
		{"closed Query", first(closed.Query(ctx, one)), engine.ErrClosed},
		{"closed Begin", first(closed.Begin(ctx, engine.TxOptions{})), engine.ErrClosed},
		{"closed Ping", closed.Ping(ctx), engine.ErrClosed},
		{"closed Tx", closed.Tx(ctx, func(*engine.Tx) error { return nil }), engine.ErrClosed},
		{"closed BulkInsert", first(closed.BulkInsert(ctx, s.Tables[0], []string{"x"}, [][]any{{1}})), engine.ErrClosed},
		{"closed CreateTables", closed.CreateTables(ctx, s), engine.ErrClosed},
		{"closed All", first(engine.All[int64](ctx, closed, one)), engine.ErrClosed},
		{"Exec nil context", first(live.Exec(nilCtx, one)), dialects.ErrNilContext},
		{"Query nil context", first(live.Query(nilCtx, one)), dialects.ErrNilContext},
		{"Begin nil context", first(live.Begin(nilCtx, engine.TxOptions{})), dialects.ErrNilContext},
		{"Exec nil statement", first(live.Exec(ctx, nil)), nil},
		{"Exec typed nil select", first(live.Exec(ctx, (*stmt.SelectStmt)(nil))), nil},
		{"Exec typed nil text", first(live.Exec(ctx, (*stmt.TextStmt)(nil))), nil},
		{"Exec empty text", first(live.Exec(ctx, stmt.Text(""))), nil},
		{"Exec Insert(nil)", first(live.Exec(ctx, stmt.Insert(nil))), nil},
		{"Exec Update(nil)", first(live.Exec(ctx, stmt.Update(nil))), nil},
		{"Exec Delete(nil)", first(live.Exec(ctx, stmt.Delete(nil))), nil},
		{"Query Select()", first(live.Query(ctx, stmt.Select())), nil},
		{"Query cancelled", first(live.Query(cancelled, one)), context.Canceled},
		{"Exec cancelled", first(live.Exec(cancelled, one)), context.Canceled},
		{"Begin cancelled", first(live.Begin(cancelled, engine.TxOptions{})), context.Canceled},
		{"Tx nil function", live.Tx(ctx, nil), nil},
		{"Transaction nil function", live.Transaction(ctx, nil, engine.WithRetry(engine.RetryPolicy{})), nil},
		{"Transaction closed", closed.Transaction(ctx, func(*engine.Tx) error { return nil }, nil, engine.WithRetry(engine.RetryPolicy{})), engine.ErrClosed},
		{"Transaction cancelled", live.Transaction(cancelled, func(*engine.Tx) error { return nil }, engine.WithRetry(engine.RetryPolicy{})), context.Canceled},
		{"Transaction unknown isolation", live.Transaction(ctx, func(*engine.Tx) error { return nil }, engine.WithIsolation("bogus")), nil},
		{"Retry nil context", engine.Retry(nilCtx, &engine.RetryPolicy{}, func(context.Context) error { return nil }), dialects.ErrNilContext},
		{"Retry nil function", engine.Retry(ctx, nil, nil), nil},
		{"BulkInsert nil table", first(live.BulkInsert(ctx, nil, nil, nil)), nil},
		{"CreateTables nil schema", live.CreateTables(ctx, nil), nil},
		{"CreateAll without schema", live.CreateAll(ctx), nil},
		{"Compile nil", first(live.Compile(nil)), nil},
		{"All nil querier", first(engine.All[int64](ctx, nil, one)), nil},
		{"All nil statement", first(engine.All[int64](ctx, live, nil)), nil},
		{"All cancelled", first(engine.All[int64](cancelled, live, one)), context.Canceled},
		{"All nil context", first(engine.All[int64](nilCtx, live, one)), dialects.ErrNilContext},
		{"One nil querier", first(engine.One[int64](ctx, nil, one)), nil},
		{"First nil querier", first(engine.First[int64](ctx, nil, one)), nil},
		{"Scalar nil querier", first(engine.Scalar[int64](ctx, nil, one)), nil},
		{"Records nil querier", first(engine.Records(ctx, nil, one)), nil},
		{"Stream nil querier", seqErr(engine.Stream[int64](ctx, nil, one)), nil},
		{"Stream cancelled", seqErr(engine.Stream[int64](cancelled, live, one)), context.Canceled},
		{"CollectRows nil", first(engine.CollectRows[int64](nil)), nil},
		{"nil Tx Exec", first((*engine.Tx)(nil).Exec(ctx, one)), nil},
		{"zero Tx Commit", (&engine.Tx{}).Commit(ctx), nil},
		{"finished Tx Exec", first(done.Exec(ctx, one)), engine.ErrTxDone},
		{"finished Tx Query", first(done.Query(ctx, one)), engine.ErrTxDone},
		{"finished Tx Commit", done.Commit(ctx), engine.ErrTxDone},
		{"finished Tx Savepoint", first(done.Savepoint(ctx)), engine.ErrTxDone},
		{"finished Tx BulkInsert", first(done.BulkInsert(ctx, s.Tables[0], []string{"x"}, [][]any{{1}})), engine.ErrTxDone},
		{"Tx rolled back by Close: Exec", first(abandoned.Exec(ctx, one)), engine.ErrClosed},
		{"Tx rolled back by Close: Commit", abandoned.Commit(ctx), engine.ErrClosed},
		{"Tx Nested nil function", done.Nested(ctx, nil), nil},
		{"nil Savepoint Release", (*engine.Savepoint)(nil).Release(ctx), nil},
		{"nil Rows Close", (*engine.Rows)(nil).Close(), nil},
		{"zero Rows Scan", (&engine.Rows{}).Scan(), nil},
		{"zero Record Int64", first(engine.Record{}.Int64("x")), nil},

		{"dialects.Open nil context", func() error {
			_, _, err := dialects.Open(nilCtx, "sqlite::memory:", dialects.PoolOptions{})
			return err
		}(), dialects.ErrNilContext},
		{"dialects.Open empty", func() error { _, _, err := dialects.Open(ctx, "", dialects.PoolOptions{}); return err }(), nil},
		{"dialects.Lookup empty", first(dialects.Lookup("")), nil},
		{"dialects.CreateAllSQL nil", first(dialects.CreateAllSQL(nil, nil)), nil},
		{"dialects.DropAllSQL nil", first(dialects.DropAllSQL(nil, nil)), nil},
		{"dialects.ColumnDef nil", func() error { _, _, err := dialects.ColumnDef(nil, "", nil); return err }(), nil},
		{"Compiled.Bind missing name", first((&dialects.Compiled{Args: []any{nil}, ParamNames: []string{"a"}}).Bind(nil)), nil},

		{"postgres.OpenPool nil context", first(postgres.OpenPool(nilCtx, "postgres://x", dialects.PoolOptions{})), dialects.ErrNilContext},
		{"postgres.OpenPool cancelled", first(postgres.OpenPool(cancelled, "postgres://127.0.0.1:1/x", dialects.PoolOptions{})), nil},
		{"postgres.OpenPool bad URL", first(postgres.OpenPool(ctx, "postgres://%zz", dialects.PoolOptions{})), nil},
		{"postgres.Wrap(nil) Exec", first(postgres.Wrap(nil).Exec(ctx, "SELECT 1")), dialects.ErrNilQueryer},
		{"postgres.Wrap(nil) Begin", first(postgres.Wrap(nil).Begin(ctx, dialects.TxOptions{})), dialects.ErrNilQueryer},
		{"postgres.Inspect nil", first(postgres.Inspect(ctx, nil)), dialects.ErrNilQueryer},
		{"postgres Compile nil", first(postgres.Default().Compile(nil)), nil},
		{"postgres ColumnType nil", first(postgres.ColumnType(nil)), nil},
		{"postgres LockMigrations nil pool", first(postgres.Default().LockMigrations(ctx, nil, "", 0)), dialects.ErrNilQueryer},
		{"mysql.OpenPool nil context", first(mysql.OpenPool(nilCtx, "mysql://x", dialects.PoolOptions{})), dialects.ErrNilContext},
		{"mysql.OpenPool empty", first(mysql.OpenPool(ctx, "", dialects.PoolOptions{})), nil},
		{"mysql.OpenPool cancelled", first(mysql.OpenPool(cancelled, "mysql://127.0.0.1:1/x", dialects.PoolOptions{})), nil},
		{"mysql.Config empty", first(mysql.Config("")), nil},
		{"mysql.Inspect nil", first(mysql.Inspect(ctx, nil)), dialects.ErrNilQueryer},
		{"mysql.Wrap(nil) Exec", first(mysql.Wrap(nil).Exec(ctx, "SELECT 1")), dialects.ErrNilQueryer},
		{"mysql ColumnType nil", first(mysql.ColumnType(nil)), nil},
		{"sqlite.OpenPool nil context", first(sqlite.OpenPool(nilCtx, "sqlite::memory:", dialects.PoolOptions{})), dialects.ErrNilContext},
		{"sqlite.OpenPool empty", first(sqlite.OpenPool(ctx, "", dialects.PoolOptions{})), nil},
		{"sqlite.OpenPool cancelled", first(sqlite.OpenPool(cancelled, "sqlite::memory:", dialects.PoolOptions{})), context.Canceled},
		{"sqlite.DSN empty", func() error { _, _, err := sqlite.DSN(""); return err }(), nil},
		{"sqlite.Inspect nil", first(sqlite.Inspect(ctx, nil)), dialects.ErrNilQueryer},
		{"sqlite.Wrap(nil) Query", first(sqlite.Wrap(nil).Query(ctx, "SELECT 1")), dialects.ErrNilQueryer},
		{"sqlite ColumnType nil", first(sqlite.ColumnType(nil)), nil},

		{"sqldb.New(nil) Exec", first(sqldb.New(nil, sqldb.Config{}).Exec(ctx, "SELECT 1")), dialects.ErrNilQueryer},
		{"sqldb.New(nil) Begin", first(sqldb.New(nil, sqldb.Config{}).Begin(ctx, dialects.TxOptions{})), dialects.ErrNilQueryer},
		{"sqldb closed Exec", first(closedPool.Exec(ctx, "SELECT 1")), nil},
		{"sqldb closed Query", first(closedPool.Query(ctx, "SELECT 1")), nil},
		{"sqldb closed Begin", first(closedPool.Begin(ctx, dialects.TxOptions{})), nil},
		{"sqldb nil context", first(closedPool.Exec(nilCtx, "SELECT 1")), dialects.ErrNilContext},

		{"dlayer.Open nil models", first(dlayer.Open(ctx, nil, "sqlite::memory:")), nil},
		{"dlayer.Open nil schema", first(dlayer.Open(ctx, (*spec.Schema)(nil), "sqlite::memory:")), nil},
		{"dlayer.Open empty URL", first(dlayer.Open(ctx, s, "")), nil},
		{"dlayer.Open nil context", first(dlayer.Open(nilCtx, s, "sqlite::memory:")), dialects.ErrNilContext},
		{"dlayer.Open cancelled", first(dlayer.Open(cancelled, s, "sqlite::memory:")), context.Canceled},
		{"dlayer.Open missing directory", first(dlayer.Open(ctx, filepath.Join(t.TempDir(), "none"), "sqlite::memory:")), nil},
		{"dlayer.LoadSchema empty string", first(dlayer.LoadSchema("")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(tt.err, tt.want) {
				t.Errorf("got %v, want an error matching %v", tt.err, tt.want)
			}
		})
	}
}
