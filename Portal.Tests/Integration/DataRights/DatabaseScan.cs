using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.DataRights;

/// <summary>
/// Reads the schema from the database itself (SQLite: sqlite_master, pragma table_info, pragma
/// foreign_key_list; PostgreSQL: its catalogue), so a table added by a later migration is
/// searched without anyone remembering to add it here.
/// </summary>
public static class DatabaseScan
{
    /// <summary>A place a value was found: table, column and what was looked for.</summary>
    public sealed record Hit(string Table, string Column, string What);

    /// <summary>A foreign key: the column of a table that refers to another table.</summary>
    public sealed record ForeignKey(string Table, string Column, string References);

    public static Task<List<string>> TablesAsync(PortalApp app) =>
        WithConnectionAsync(app, async connection =>
        {
            var tables = new List<string>();
            await using var command = Command(connection, IsPostgres(connection)
                ? "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE \"C\""
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }

            return tables;
        });

    public static async Task<List<ForeignKey>> ForeignKeysAsync(PortalApp app)
    {
        var tables = await TablesAsync(app);
        return await WithConnectionAsync(app, async connection =>
        {
            var keys = new List<ForeignKey>();
            foreach (var table in tables)
            {
                await using var command = Command(connection, IsPostgres(connection)
                    ? $"""
                      SELECT r.relname::text, a.attname::text FROM pg_constraint c
                      JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                      JOIN pg_class r ON r.oid = c.confrelid
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                      WHERE c.contype = 'f' AND n.nspname = 'public' AND t.relname = {Quote(table)} ORDER BY c.conname, a.attnum
                      """
                    : $"SELECT \"table\", \"from\" FROM pragma_foreign_key_list({Quote(table)})");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    keys.Add(new ForeignKey(table, reader.GetString(1), reader.GetString(0)));
                }
            }

            return keys;
        });
    }

    /// <summary>
    /// Every column of every table whose value equals one of <paramref name="ids"/> (ignoring
    /// case: SQLite keeps Guids as upper-case text, Identity's ids as lower-case), or contains
    /// one of <paramref name="texts"/> (ignoring case).
    /// </summary>
    public static async Task<List<Hit>> FindAsync(PortalApp app, IReadOnlyDictionary<string, string> ids, IReadOnlyDictionary<string, string> texts)
    {
        var tables = await TablesAsync(app);
        return await WithConnectionAsync(app, async connection =>
        {
            var hits = new List<Hit>();
            foreach (var table in tables)
            {
                var columns = new List<string>();
                await using (var info = Command(connection, IsPostgres(connection)
                    ? $"SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = {Quote(table)} ORDER BY ordinal_position"
                    : $"SELECT name FROM pragma_table_info({Quote(table)})"))
                await using (var reader = await info.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        columns.Add(reader.GetString(0));
                    }
                }

                foreach (var column in columns)
                {
                    var value = $"lower(CAST(\"{column}\" AS TEXT))";
                    foreach (var (what, id) in ids)
                    {
                        if (await CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE {value} = lower(@v)", id) > 0)
                        {
                            hits.Add(new Hit(table, column, what));
                        }
                    }

                    foreach (var (what, text) in texts)
                    {
                        var contains = IsPostgres(connection) ? $"strpos({value}, lower(@v)) > 0" : $"instr({value}, lower(@v)) > 0";
                        if (await CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE {contains}", text) > 0)
                        {
                            hits.Add(new Hit(table, column, what));
                        }
                    }
                }
            }

            return hits;
        });
    }

    /// <summary>How many rows refer to <paramref name="id"/> through the foreign key.</summary>
    public static Task<long> CountAsync(PortalApp app, ForeignKey key, string id) =>
        WithConnectionAsync(app, connection => CountAsync(connection, $"SELECT COUNT(*) FROM \"{key.Table}\" WHERE lower(CAST(\"{key.Column}\" AS TEXT)) = lower(@v)", id));

    /// <summary>
    /// What <c>PRAGMA foreign_key_check</c> reports: rows whose foreign key points at nothing.
    /// PostgreSQL checks every foreign key on every write and cannot hold such rows: none.
    /// </summary>
    public static Task<List<string>> ForeignKeyViolationsAsync(PortalApp app) =>
        WithConnectionAsync(app, async connection =>
        {
            if (IsPostgres(connection))
            {
                return [];
            }

            var violations = new List<string>();
            await using var command = Command(connection, "PRAGMA foreign_key_check");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                violations.Add($"{reader.GetString(0)} row {reader.GetValue(1)} -> {reader.GetString(2)}");
            }

            return violations;
        });

    private static async Task<long> CountAsync(DbConnection connection, string sql, string value)
    {
        await using var command = Command(connection, sql);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@v";
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static bool IsPostgres(DbConnection connection) => connection is Npgsql.NpgsqlConnection;

    private static string Quote(string name) => $"'{name.Replace("'", "''", StringComparison.Ordinal)}'";

    private static Task<T> WithConnectionAsync<T>(PortalApp app, Func<DbConnection, Task<T>> work) =>
        app.QueryAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            try
            {
                return await work(connection);
            }
            finally
            {
                await connection.CloseAsync();
            }
        });
}
