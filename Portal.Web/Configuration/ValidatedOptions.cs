using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Portal.Web.Configuration;

public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="sectionName"/> and validates it when the
    /// portal starts, so a wrong value stops start-up with the full setting path
    /// (<c>Email:Smtp:Port must be ...</c>) rather than failing at first use.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string sectionName)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SettingPathValidator<T>(sectionName));
        return services.AddOptions<T>().BindConfiguration(sectionName).ValidateOnStart();
    }

    private sealed class SettingPathValidator<T>(string sectionName) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = new List<string>();
            Collect(options, sectionName, failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static void Collect(object instance, string path, List<string> failures)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
            foreach (var result in results)
            {
                var members = result.MemberNames.Any() ? result.MemberNames : [""];
                foreach (var member in members)
                {
                    var setting = member.Length == 0 ? path : $"{path}:{member}";
                    failures.Add($"{setting} {result.ErrorMessage}");
                }
            }

            // Nested settings objects (Email:Smtp) and list entries (DemoData:Users:0) are
            // validated with their own path, the one an operator would write to fix them.
            foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var type = property.PropertyType;
                if (type == typeof(string) || property.GetIndexParameters().Length > 0
                    || !(type.IsClass || type.IsInterface))
                {
                    continue;
                }

                var childPath = $"{path}:{property.Name}";
                switch (property.GetValue(instance))
                {
                    case IEnumerable items:
                        CollectItems(items, childPath, failures);
                        break;
                    case { } child:
                        Collect(child, childPath, failures);
                        break;
                }
            }
        }

        private static void CollectItems(IEnumerable items, string path, List<string> failures)
        {
            var index = 0;
            foreach (var item in items)
            {
                if (item is not null && item.GetType().IsClass && item is not string)
                {
                    Collect(item, $"{path}:{index.ToString(CultureInfo.InvariantCulture)}", failures);
                }

                index++;
            }
        }
    }
}
