using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The secret behind the identity table's keys, links and suppressions alike, and the dead letters' person index
/// (<c>Privacy__SuppressionKey</c>; a Key Vault reference in Azure). It must never change: an entry made under one key
/// is not found under another (every identity would look new, and erased people unsuppressed). Validated at start, so a
/// deployment without it fails at once instead of storing keys nobody can look up later.
/// </summary>
public sealed class SuppressionKeyOptions : IValidatableObject
{
    public const string Section = "Privacy";

    /// <summary>At least 32 characters of secret, e.g. <c>openssl rand -base64 48</c>.</summary>
    [Required(ErrorMessage = "Privacy:SuppressionKey (app setting Privacy__SuppressionKey) is required: the HMAC key of the identity table (links and suppressions) and the dead letters' person index.")]
    [MinLength(32, ErrorMessage = "Privacy:SuppressionKey must be at least 32 characters.")]
    public string SuppressionKey { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // App Service hands an unresolvable Key Vault reference to the app as its literal text.
        if (SuppressionKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                "Privacy:SuppressionKey is an unresolved Key Vault reference: the secret 'privacy-suppression-key' is missing or not readable by the app's identity.",
                [nameof(SuppressionKey)]);
        }
    }
}
