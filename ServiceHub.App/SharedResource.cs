namespace ServiceHub.App;

/// <summary>Marker for the UI strings in Resources/SharedResource(.en).resx; generated from Resources/strings/*.tsv by tools/strings.py.</summary>
public sealed class SharedResource;
