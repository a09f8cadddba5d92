namespace ServiceHub.Data.Admin;

/// <summary>Masks customer private data (DOMAIN.md §2): 13812341234 → 138****1234.</summary>
public static class Masking
{
    public static string Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone)) return "";
        var digits = phone.Trim();
        if (digits.Length <= 4) return new string('*', digits.Length);
        if (digits.Length < 8) return new string('*', digits.Length - 4) + digits[^4..];
        return digits[..3] + "****" + digits[^4..];
    }

    /// <summary>Membership numbers and levels keep only their last two characters.</summary>
    public static string Membership(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.Length <= 2 ? new string('*', value.Length) : new string('*', value.Length - 2) + value[^2..];
    }
}
