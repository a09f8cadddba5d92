namespace ServiceHub.Data.Complaints;

/// <summary>Per-year form numbers of the manual's registers: LD-2026-000123.</summary>
public static class FormTypes
{
    /// <summary>《客户来电登记表》 call register.</summary>
    public const string Call = "LD";
    /// <summary>《客户来访登记表》 visit register.</summary>
    public const string Visit = "LF";
    /// <summary>Letters, e-mails, forum posts, media and forwarded matters (来函/网络/转办登记).</summary>
    public const string Other = "QT";
    /// <summary>《客户接待洽谈记录表》 reception record.</summary>
    public const string Reception = "JD";
    /// <summary>《客户反映问题记录单》 customer issue record sheet.</summary>
    public const string IssueSheet = "FY";

    public static string ForChannel(string channel) => channel switch
    {
        Channels.Phone => Call,
        Channels.Visit => Visit,
        _ => Other,
    };

    public static string Format(string formType, int year, int number) => $"{formType}-{year}-{number:000000}";
}
