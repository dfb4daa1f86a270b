// Command blog is the seed tour: it performs every pattern of the
// SQLAlchemy 2.0 reference (the project's seed) in order with dlayer, and
// prints what it did.
//
//	go run ./examples/blog                         # embedded SQLite, no setup
//	go run ./examples/blog -db "$POSTGRES_URL"     # PostgreSQL
//	go run ./examples/blog -db "$MYSQL_URL"        # MySQL / MariaDB
//
// The models are the YAML files of models/ (the seed's User, Post and Tag)
// and tourmodels/ (an inbox with a write-only collection, and a reporting
// model bound to a second database), embedded in the binary and loaded at
// run time: no generated code.
//
// On a server the tour creates its tables, and drops them again at the end
// (-keep leaves them; -reset drops leftovers of an interrupted run first), so
// point -db at a database where tables named users, posts, tags, post_tags,
// inboxes, messages and page_views are the tour's to create and drop. The
// routing step needs a second database standing in for a read replica:
// -replica URL, or by default a temporary SQLite file.
package main
