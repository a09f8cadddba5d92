using System.Reflection;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Every text a Data-layer call takes from a person, found by reflection: each public method of the Data layer that takes an
/// <see cref="Actor"/> and does its work in the database (returns a task), and of it each <c>string</c> parameter, each string property of a form it takes (a record or class of the Data
/// layer), and the same inside a list of forms. Named <c>Type.Method(parameter)</c> or <c>Type.Method(parameter.Property)</c>.
/// </summary>
public static class FormTextSlots
{
    public static IReadOnlyList<string> All() =>
    [
        .. typeof(Actor).Assembly.GetExportedTypes()
            .Where(t => t.IsClass)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && typeof(Task).IsAssignableFrom(m.ReturnType) && m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
                .SelectMany(m => m.GetParameters().SelectMany(p => Slots(p.ParameterType, p.Name!)).Select(s => $"{t.Name}.{m.Name}({s})")))
            .Distinct()
            .Order(StringComparer.Ordinal),
    ];

    private static IEnumerable<string> Slots(Type type, string name)
    {
        if (IsText(type)) return [name];
        if (ElementOf(type) is { } element && IsForm(element)) return Properties(element).Select(p => $"{name}[].{p}");
        if (IsForm(type)) return Properties(type).Select(p => $"{name}.{p}");
        return [];
    }

    private static IEnumerable<string> Properties(Type form) =>
        form.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || form.GetConstructors().Any(c => c.GetParameters().Any(a => a.Name == p.Name)))
            .Where(p => IsText(p.PropertyType)).Select(p => p.Name);

    private static bool IsText(Type type) => type == typeof(string) || ElementOf(type) == typeof(string);

    private static Type? ElementOf(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static bool IsForm(Type type) => type.IsClass && type != typeof(Actor) && type != typeof(string) && type.Assembly == typeof(Actor).Assembly;
}
