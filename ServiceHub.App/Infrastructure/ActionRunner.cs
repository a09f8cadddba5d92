using Microsoft.Extensions.Localization;
using MudBlazor;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Runs what a user asked for the one way every page does: clears the form's messages, calls the Data layer as the signed-in
/// <see cref="Actor"/>, and on success shows the success message. A <see cref="ValidationFailedException"/> puts its messages
/// at their fields (<see cref="FieldErrors"/>); a <see cref="DomainException"/> shows its localised message in a snackbar
/// (or at the field the form names for it); a <see cref="ForbiddenException"/> says "access denied". Nothing else is caught.
/// </summary>
public sealed class ActionRunner(CurrentUser me, ISnackbar snackbar, IStringLocalizer<SharedResource> l)
{
    /// <summary>Runs <paramref name="action"/>; on success says "saved". True when it succeeded.</summary>
    public Task<bool> RunAsync(FieldErrors errors, Func<Actor, Task> action) => RunAsync(errors, action, l["Common.Saved"]);

    /// <summary>Runs <paramref name="action"/>; on success shows <paramref name="success"/> (localised; null: no message). True when it succeeded.</summary>
    public async Task<bool> RunAsync(FieldErrors errors, Func<Actor, Task> action, string? success)
    {
        errors.Clear();
        try
        {
            await action(await me.GetAsync());
        }
        catch (ValidationFailedException ex)
        {
            errors.Set(l, ex);
            return false;
        }
        catch (DomainException ex)
        {
            Refuse(errors, errors.FieldOfRefusal(ex.Code), l.Message(ex));
            return false;
        }
        catch (ForbiddenException)
        {
            Refuse(errors, errors.FieldOfForbidden, l["AccessDenied.Text"]);
            return false;
        }
        if (success is not null) snackbar.Add(success, Severity.Success);
        return true;
    }

    private void Refuse(FieldErrors errors, string? field, string message)
    {
        if (field is null) snackbar.Add(message, Severity.Error);
        else errors.Set(field, message);
    }
}
