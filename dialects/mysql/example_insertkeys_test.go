package mysql_test

import (
	"fmt"

	"github.com/dlayer/dlayer/dialects/mysql"
)

// ExampleConfig_insertKeys shows the insert_keys URL option: dlayer's own
// parameter (the server never sees it) choosing how the ORM learns the keys
// of a multi-row insert. per_row inserts rows with generated keys one by
// one, right on every server and setting.
func ExampleConfig_insertKeys() {
	cfg, err := mysql.Config("mysql://app:secret@db:3306/app?insert_keys=per_row&auto_increment_increment=3")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, sent := cfg.Params[mysql.InsertKeysOption]
	fmt.Println("insert_keys sent to the server:", sent)
	fmt.Println("auto_increment_increment sent:", cfg.Params["auto_increment_increment"])
	_, err = mysql.Config("mysql://app:secret@db/app?insert_keys=fast")
	fmt.Println(err)
	// Output:
	// insert_keys sent to the server: false
	// auto_increment_increment sent: 3
	// mysql URL mysql://app:xxxxx@db/app?insert_keys=fast: ?insert_keys="fast": want auto, last_insert_id or per_row
}
