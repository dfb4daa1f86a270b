package orm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/orm"
)

// Single-table inheritance (inheritdata/single): Engineer and Manager
// inherit Employee and share its table; a query on Employee returns each
// row as the sub-model its discriminator names.
func ExampleAs() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "dlayer-inherit-example-")
	defer os.RemoveAll(dir)
	eng, err := dlayer.Open(ctx, "inheritdata/single", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	if err := eng.CreateAll(ctx); err != nil {
		fmt.Println(err)
		return
	}
	db, err := orm.New(eng, orm.Bind[Department]("Department"), orm.Bind[Employee]("Employee"), orm.Bind[Engineer]("Engineer"),
		orm.Bind[Manager]("Manager"), orm.Bind[Director]("Director"), orm.Bind[Contractor]("Contractor"))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	lang := "Go"
	budget := int64(10)
	_ = s.AddAll(&Employee{Name: "Eve"}, &Engineer{Employee: Employee{Name: "Ed"}, Language: &lang},
		&Manager{Employee: Employee{Name: "Mia"}, Budget: &budget})
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	emps, err := orm.All[Employee](ctx, s, orm.Select[Employee](db).OrderBy(orm.TableOf[Employee](db).C("name").Asc()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range emps {
		fmt.Printf("%s: %s (kind %q)", e.Name, s.ModelOf(e), e.Kind)
		if en, ok := orm.As[Engineer](s, e); ok {
			fmt.Printf(" writing %s", *en.Language)
		}
		fmt.Println()
	}
	managers, _ := orm.All[Manager](ctx, s, orm.Select[Manager](db))
	fmt.Println("managers:", len(managers))
	// Output:
	// Ed: Engineer (kind "engineer") writing Go
	// Eve: Employee (kind "employee")
	// Mia: Manager (kind "manager")
	// managers: 1
}
