using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Web.Features.SyntheticData;

/// <summary>
/// Inserts entities into one table with a single prepared INSERT, its columns, parameter
/// types and value conversions read from the EF model: rows are stored as SaveChanges stores
/// them (the same text for a Guid, a date, an enum), without change tracking or SQL built per
/// row, which made SaveChanges the slowest part of loading thousands of firms.
/// </summary>
internal sealed class BulkTable<T> : IDisposable where T : class
{
    private readonly SqliteCommand command;
    private readonly Column[] columns;

    public BulkTable(IModel model, SqliteConnection connection, SqliteTransaction transaction)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        Table = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var store = StoreObjectIdentifier.Table(Table, entity.GetSchema());
        command = connection.CreateCommand();
        command.Transaction = transaction;
        var properties = entity.GetProperties().Where(p => p.GetColumnName(store) is not null).ToList();
        if (properties.FirstOrDefault(p => p.IsShadowProperty()) is { } shadow)
        {
            // A shadow column has no value on the entity to copy: the model changed under this code.
            throw new InvalidOperationException($"{Table}.{shadow.Name} is a shadow property; give {typeof(T).Name} a property for it.");
        }

        columns = properties.Select((p, i) =>
        {
            var mapping = (RelationalTypeMapping)p.GetRelationalTypeMapping();
            // The mapping configures the parameter as EF does (a Guid bound as upper-case text, not a blob).
            var parameter = mapping.CreateParameter(command, $"$p{i}", null, p.IsNullable);
            command.Parameters.Add(parameter);
            return new Column(p.GetGetter(), mapping.Converter, parameter);
        }).ToArray();
        command.CommandText = $"INSERT INTO \"{Table}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName(store)}\""))}) "
            + $"VALUES ({string.Join(", ", columns.Select(c => c.Parameter.ParameterName))})";
        command.Prepare();
    }

    public string Table { get; }

    public long Rows { get; private set; }

    public void Insert(T row)
    {
        foreach (var column in columns)
        {
            var value = column.Getter.GetClrValueUsingContainingEntity(row);
            if (column.Converter is not null)
            {
                value = column.Converter.ConvertToProvider(value);
            }
            else if (value is Enum)
            {
                value = Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture);
            }

            column.Parameter.Value = value ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
        Rows++;
    }

    public void InsertAll(IEnumerable<T> rows)
    {
        foreach (var row in rows)
        {
            Insert(row);
        }
    }

    public void Dispose() => command.Dispose();

    private sealed record Column(IClrPropertyGetter Getter, ValueConverter? Converter, DbParameter Parameter);
}
