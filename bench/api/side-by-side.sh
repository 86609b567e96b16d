#!/usr/bin/env bash
# Prints the rows that bench/api/run.sh appended to FILE (SUMMARY=FILE) as one table: SQLite and
# PostgreSQL with 1 and 2 API nodes side by side, against issue 24's goals on PostgreSQL.
# Usage: bench/api/side-by-side.sh FILE
set -euo pipefail
echo
echo "| store, API nodes | signed Get, c=32 | durable Update, c=32 |"
echo "| --- | --- | --- |"
while IFS= read -r row; do echo "| $row |"; done <"$1"
echo "| goal on PostgreSQL | >= 5,000/s, p99 <= 10 ms | >= 2,000/s, p99 <= 15 ms |"
