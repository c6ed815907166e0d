namespace Forge.KubeApiEmulator.Schema;

/// <summary>
/// One cause of a 422, as apimachinery's <c>field.Error</c> prints it: "{Field}: {Body}", with the reason
/// kubectl and clients see in <c>details.causes</c>.
/// </summary>
internal sealed record FieldError(string Field, string Reason, string Body)
{
    public override string ToString() => $"{Field}: {Body}";

    public static FieldError Invalid(string field, string shownValue, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: {shownValue}: {detail}");

    public static FieldError TypeInvalid(string field, string shownValue, string detail) =>
        new(field, "FieldValueTypeInvalid", $"Invalid value: {shownValue}: {detail}");

    public static FieldError Required(string field) => new(field, "FieldValueRequired", "Required value");

    public static FieldError NotSupported(string field, string shownValue, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported", $"Unsupported value: {shownValue}: supported values: {string.Join(", ", supported)}");

    public static FieldError TooLong(string field, long max) =>
        new(field, "FieldValueTooLong", $"Too long: may not be more than {max} bytes");

    public static FieldError TooMany(string field, int actual, long max) =>
        new(field, "FieldValueTooMany", $"Too many: {actual}: must have at most {max} items");
}
