CREATE TABLE "tags" (
  "id" INTEGER NOT NULL,
  "name" VARCHAR(50) NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "uq_tags_name" UNIQUE ("name")
);
CREATE TABLE "users" (
  "id" INTEGER NOT NULL,
  "name" VARCHAR(50) NOT NULL,
  "email" VARCHAR(100) NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "uq_users_email" UNIQUE ("email")
);
CREATE TABLE "posts" (
  "id" INTEGER NOT NULL,
  "title" VARCHAR(50) NOT NULL,
  "content" TEXT NOT NULL,
  "author_id" INTEGER NOT NULL,
  "created" TIMESTAMP NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "fk_posts_author_id_users" FOREIGN KEY ("author_id") REFERENCES "users" ("id")
);
CREATE INDEX "ix_posts_author_id_created" ON "posts" ("author_id", "created");
CREATE TABLE "post_tags" (
  "post_id" INTEGER NOT NULL,
  "tag_id" INTEGER NOT NULL,
  PRIMARY KEY ("post_id", "tag_id"),
  CONSTRAINT "fk_post_tags_post_id_posts" FOREIGN KEY ("post_id") REFERENCES "posts" ("id"),
  CONSTRAINT "fk_post_tags_tag_id_tags" FOREIGN KEY ("tag_id") REFERENCES "tags" ("id")
);
