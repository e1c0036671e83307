#!/usr/bin/env bash
# Checks that neither database engine's EF model has changes without a migration: the
# SQLite migrations (Portal.Web/Data/Migrations) and the PostgreSQL ones
# (Portal.Web/Data/Migrations/Postgres) must each match the model. Needs a built solution.
#
#   scripts/check-migrations.sh            run the check (exit 1 when a migration is missing)
#   source scripts/check-migrations.sh     define check_migrations for another script (test.sh)

# The engine's context and the folder its migrations live in.
portal_migration_contexts=(
  "SqlitePortalDbContext Data/Migrations"
  "PostgresPortalDbContext Data/Migrations/Postgres"
)

# check_migrations [repository root]: exit status 0 when both engines are up to date.
check_migrations() {
  local root=${1:-.} failed=0 entry context folder
  for entry in "${portal_migration_contexts[@]}"; do
    read -r context folder <<<"$entry"
    echo "$context:"
    if ! (cd "$root" && dotnet ef migrations has-pending-model-changes --project Portal.Web --no-build --context "$context"); then
      echo "check-migrations: the model has changes without a $context migration: run" >&2
      echo "  dotnet ef migrations add <Name> --project Portal.Web --context $context --output-dir $folder" >&2
      failed=1
    fi
  done
  return "$failed"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  check_migrations "$(cd "$(dirname "$0")/.." && pwd)"
fi
