namespace ServiceHub.Data.Home;

/// <summary>
/// One figure of the home page: what waits for the signed-in person, with where to act on it.
/// <paramref name="Key"/> is the resource key suffix (Home.Tile.{Key}); <paramref name="Urgent"/> colours it when it is not zero.
/// </summary>
public sealed record WorkTile(string Role, string Key, int Count, string Href, bool Urgent);
