// DuckDB's side of lib/nmf's Parquet tests (parquet_duckdb_test.go), with
// the engine the @duckdb/node-api package ships:
//   node duckdb.mjs write CSV DIR   writes CSV (long-form ratings: userId,
//        movieId, rating) as Parquet files in DIR in every layout the test
//        reads: each compression, small and large row groups, string and
//        integer labels, float, decimal and integer values, and a wide
//        table; prints their names.
//   node duckdb.mjs convert CSV OUT   writes the ratings of CSV as OUT.
//   node duckdb.mjs sum FILE COLUMN...   prints, as JSON, the row count and
//        the sum of each COLUMN of a Parquet file lib/nmf wrote.
import { DuckDBInstance } from '@duckdb/node-api';

const [cmd, ...args] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = (s) => s.replaceAll("'", "''");

if (cmd === 'write') {
  const [csv, dir] = args;
  await con.run(`CREATE TABLE r AS SELECT userId, movieId, rating FROM read_csv('${q(csv)}', header = true)`);
  const layouts = [];
  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4', 'brotli']) {
    layouts.push([`long-${codec}.parquet`, 'SELECT userId, movieId, rating FROM r', `COMPRESSION '${codec}'`]);
  }
  layouts.push(['long-small-groups.parquet', 'SELECT userId, movieId, rating FROM r', "ROW_GROUP_SIZE 2048, COMPRESSION 'snappy'"]);
  layouts.push(['long-strings.parquet', 'SELECT CAST(userId AS VARCHAR) AS userId, CAST(movieId AS VARCHAR) AS movieId, rating FROM r', "COMPRESSION 'zstd'"]);
  layouts.push(['long-decimal.parquet', 'SELECT CAST(userId AS INTEGER) AS userId, CAST(movieId AS BIGINT) AS movieId, CAST(rating AS DECIMAL(3,1)) AS rating FROM r', "COMPRESSION 'zstd'"]);
  layouts.push(['long-float.parquet', 'SELECT userId, movieId, CAST(rating AS FLOAT) AS rating FROM r', "COMPRESSION 'zstd'"]);
  layouts.push(['long-int-values.parquet', 'SELECT userId, movieId, CAST(rating * 2 AS INTEGER) AS rating FROM r', "COMPRESSION 'zstd'"]);
  for (const [name, select, opts] of layouts) {
    await con.run(`COPY (${select}) TO '${q(dir)}/${name}' (FORMAT parquet, ${opts})`);
    console.log(name);
  }
  // Wide: the first 40 users' ratings, one row per film, a column per user.
  await con.run(`CREATE TABLE small AS SELECT * FROM r WHERE userId <= 40`);
  await con.run(`COPY (PIVOT small ON userId USING first(rating) GROUP BY movieId ORDER BY movieId) TO '${q(dir)}/wide.parquet' (FORMAT parquet)`);
  console.log('wide.parquet');
} else if (cmd === 'convert') {
  // node duckdb.mjs convert CSV OUT: the ratings as one Parquet file, as
  // DuckDB writes it by default (snappy, its row groups).
  const [csv, out] = args;
  await con.run(`COPY (SELECT userId, movieId, rating FROM read_csv('${q(csv)}', header = true)) TO '${q(out)}' (FORMAT parquet)`);
} else if (cmd === 'sum') {
  const [file, ...columns] = args;
  const sums = columns.map((c) => `sum("${c.replaceAll('"', '""')}")::DOUBLE`).join(', ');
  const reader = await con.runAndReadAll(`SELECT count(*)::BIGINT${sums ? ', ' + sums : ''} FROM read_parquet('${q(file)}')`);
  const row = reader.getRows()[0];
  console.log(JSON.stringify({ rows: Number(row[0]), sums: row.slice(1).map(Number) }));
} else {
  console.error('usage: node duckdb.mjs write CSV DIR | convert CSV OUT | sum FILE COLUMN...');
  process.exit(2);
}
