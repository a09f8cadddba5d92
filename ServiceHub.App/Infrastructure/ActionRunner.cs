using Microsoft.Extensions.Localization;
using MudBlazor;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Runs what a user asked for the one way every page does: clears the form's messages, calls the Data layer as the signed-in
/// <see cref="Actor"/>, and on success shows the success message. A <see cref="ValidationFailedException"/> puts its messages
/// at their fields (<see cref="FieldErrors"/>); a <see cref="DomainException"/> shows its localised message in a snackbar
/// (or at the field the form names for it); a <see cref="ForbiddenException"/> says "access denied". A database that cannot take
/// writes now — read-only (a standby, <c>default_transaction_read_only</c>) or out of disk — says "the system cannot save right
/// now, nothing was recorded" (the transaction rolled back whole) and the page stays as it was, for reading. Nothing else is caught.
/// </summary>
public sealed class ActionRunner(CurrentUser me, ISnackbar snackbar, IStringLocalizer<SharedResource> l, ILogger<ActionRunner> log)
{
    /// <summary>PostgreSQL's SqlStates for "cannot write now": read-only transaction, disk full, out of memory, too many connections.</summary>
    public static bool CannotWriteNow(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientResources
            or PostgresErrorCodes.OutOfMemory;

    /// <summary>Runs <paramref name="action"/>; on success says "saved". True when it succeeded.</summary>
    public Task<bool> RunAsync(FieldErrors errors, Func<Actor, Task> action) => RunAsync(errors, action, l["Common.Saved"]);

    /// <summary>Runs <paramref name="action"/>; on success shows <paramref name="success"/> (localised; null: no message). True when it succeeded.</summary>
    public async Task<bool> RunAsync(FieldErrors errors, Func<Actor, Task> action, string? success)
    {
        var (ok, _) = await RunAsync(errors, async me => { await action(me); return true; }, _ => success);
        return ok;
    }

    /// <summary>
    /// Runs <paramref name="action"/>, which answers with a result (a new sheet number, a draw's seed); on success shows the message
    /// <paramref name="success"/> makes of it (null: none). The result, when it succeeded.
    /// </summary>
    public async Task<(bool Ok, T? Result)> RunAsync<T>(FieldErrors errors, Func<Actor, Task<T>> action, Func<T, string?> success)
    {
        errors.Clear();
        T result;
        try
        {
            result = await action(await me.GetAsync());
        }
        catch (ValidationFailedException ex)
        {
            errors.Set(l, ex);
            return (false, default);
        }
        catch (DomainException ex)
        {
            Refuse(errors, errors.FieldOfRefusal(ex.Code), l.Message(ex));
            return (false, default);
        }
        catch (ForbiddenException)
        {
            Refuse(errors, errors.FieldOfForbidden, l["AccessDenied.Text"]);
            return (false, default);
        }
        catch (PostgresException ex) when (CannotWriteNow(ex))
        {
            log.LogWarning("A save was refused by the database ({SqlState}: {Reason}); nothing was recorded", ex.SqlState, ex.MessageText);
            snackbar.Add(l["Common.CannotSaveNow"], Severity.Error);
            return (false, default);
        }
        if (success(result) is { } message) snackbar.Add(message, Severity.Success);
        return (true, result);
    }

    private void Refuse(FieldErrors errors, string? field, string message)
    {
        if (field is null) snackbar.Add(message, Severity.Error);
        else errors.Set(field, message);
    }
}
