using System.Data;
using Dapper;

namespace ServiceHub.Data.Infrastructure;

/// <summary>Dapper conventions: snake_case columns, DateOnly for <c>date</c>, timestamptz as UTC DateTimeOffset.</summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.TypeMapProvider = type => new SnakeCaseTypeMap(type);
        SqlMapper.AddTypeHandler(new StringArrayHandler());
        SqlMapper.AddTypeHandler(new IntArrayHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    /// <summary>Lets positional records take snake_case columns: user_name → userName.</summary>
    private sealed class SnakeCaseTypeMap(Type type) : SqlMapper.ITypeMap
    {
        private readonly DefaultTypeMap _inner = new(type);

        public System.Reflection.ConstructorInfo? FindConstructor(string[] names, Type[] types) =>
            _inner.FindConstructor(names.Select(n => n.Replace("_", "")).ToArray(), types);

        public System.Reflection.ConstructorInfo? FindExplicitConstructor() => _inner.FindExplicitConstructor();

        public SqlMapper.IMemberMap? GetConstructorParameter(System.Reflection.ConstructorInfo constructor, string columnName) =>
            _inner.GetConstructorParameter(constructor, columnName.Replace("_", ""));

        public SqlMapper.IMemberMap? GetMember(string columnName) => _inner.GetMember(columnName);
    }

    /// <summary>text[] columns (reported as System.Array) into string[] members.</summary>
    private sealed class StringArrayHandler : SqlMapper.TypeHandler<string[]>
    {
        public override void SetValue(IDbDataParameter parameter, string[]? value)
        {
            parameter.Value = value ?? (object)DBNull.Value;
            if (parameter is Npgsql.NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
        }

        public override string[] Parse(object value) => value switch
        {
            string[] s => s,
            Array a => a.Cast<object?>().Select(o => o?.ToString() ?? "").ToArray(),
            _ => [],
        };
    }

    /// <summary>integer[] columns (reported as System.Array) into int[] members.</summary>
    private sealed class IntArrayHandler : SqlMapper.TypeHandler<int[]>
    {
        public override void SetValue(IDbDataParameter parameter, int[]? value)
        {
            parameter.Value = value ?? (object)DBNull.Value;
            if (parameter is Npgsql.NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer;
        }

        public override int[] Parse(object value) => value switch
        {
            int[] i => i,
            Array a => a.Cast<object?>().Select(o => Convert.ToInt32(o, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            _ => [],
        };
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => DateOnly.Parse(value.ToString()!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.DateTimeOffset;
            parameter.Value = value.ToUniversalTime();
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d,
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            _ => DateTimeOffset.Parse(value.ToString()!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
