"""The SQLite store: schema, migrations, queries, audit."""
