using System.Globalization;
using HealthCode.Api.Features.Auth;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// Validates a <see cref="Declaration"/> (DESIGN §5). Pure: the same declaration and date give the
/// same errors, in field order. Every invalid field gets its own <see cref="FieldError"/> (a camelCase
/// JSON path such as <c>travel[1].from</c>, a stable snake_case code, an English message that says what
/// to do); a field gets at most one.
/// </summary>
/// <remarks>
/// Required: <c>name</c>, <c>idNumber</c>, <c>phone</c>, <c>region</c>, <c>temperature</c>, and
/// <c>travel</c>, <c>symptoms</c> and the three <c>contact</c> answers, which the resident states
/// explicitly (an empty list, <c>false</c>) so that "not answered" is never read as "no".
/// <c>lastTest</c> is optional; when present both its fields are required.
/// Dates are calendar dates in China Standard Time (<see cref="ChinaTime"/>), as is <c>today</c>.
/// </remarks>
internal sealed class DeclarationValidator
{
    public const int NameMaxLength = FieldRules.NameMaxLength;
    public const int MaxTravelEntries = 20;
    public const int TravelWindowDays = 14;
    public const decimal MinTemperature = 34.0m;
    public const decimal MaxTemperature = 42.0m;

#pragma warning disable CA1822 // an instance method: the handler receives the validator by injection
    public IReadOnlyList<FieldError> Validate(Declaration d, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(d);
        var errors = new List<FieldError>();

        ValidateName(d.Name, errors);
        ValidateIdNumber(d.IdNumber, today, errors);
        ValidatePhone(d.Phone, errors);
        ValidateRegion("region", d.Region, errors);
        ValidateTravel(d.Travel, today, errors);
        ValidateSymptoms(d.Symptoms, errors);
        ValidateTemperature(d.Temperature, errors);
        ValidateContact(d.Contact, errors);
        ValidateLastTest(d.LastTest, today, errors);

        return errors;
    }
#pragma warning restore CA1822

    internal static void ValidateName(string? name, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(Required("name", "Enter your name as it appears on your ID card."));
            return;
        }

        if (name.Trim().EnumerateRunes().Count() > NameMaxLength)
        {
            errors.Add(new("name", "name_too_long", $"The name can be at most {NameMaxLength} characters long."));
            return;
        }

        if (name.Any(char.IsControl))
        {
            errors.Add(new("name", "name_invalid_characters", "The name contains control characters; enter it as it appears on your ID card."));
        }
    }

    internal static void ValidateIdNumber(string? id, DateOnly today, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(Required("idNumber", "Enter your 18-character resident ID number."));
            return;
        }

        if (IdNumber.IsValid(id, today, out var code))
        {
            return;
        }

        var message = code switch
        {
            IdNumber.InvalidFormat => "The ID number must be 18 characters: 17 digits followed by a digit or X.",
            IdNumber.InvalidChecksum => "The ID number's check character does not match; check the number for a typing mistake.",
            IdNumber.InvalidBirthDate => "The birth date in the ID number (characters 7 to 14) is not a real past date; check the number.",
            IdNumber.InvalidRegion => "The ID number does not start with a known region code; check the first 6 digits.",
            _ => "The ID number is not valid; check it against your ID card.",
        };
        errors.Add(new("idNumber", code, message));
    }

    private static void ValidatePhone(string? phone, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            errors.Add(Required("phone", "Enter your mobile phone number."));
        }
        else if (!PhoneNumber.IsValid(phone))
        {
            errors.Add(new("phone", "phone_invalid", "Enter an 11-digit mainland mobile number starting with 13 to 19, without spaces or country code."));
        }
    }

    private static void ValidateRegion(string field, string? region, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            errors.Add(Required(field, "Enter the 6-digit region code (GB/T 2260) of where you are."));
        }
        else if (region.Length != 6 || !region.All(char.IsAsciiDigit))
        {
            errors.Add(new(field, "region_invalid_format", "A region code is exactly 6 digits (GB/T 2260), for example 410105."));
        }
        else if (!RegionCodes.Exists(region))
        {
            errors.Add(new(field, "region_unknown", $"{region} is not a known region code; choose the region from the list."));
        }
    }

    private static void ValidateTravel(IReadOnlyList<TravelEntry>? travel, DateOnly today, List<FieldError> errors)
    {
        if (travel is null)
        {
            errors.Add(Required("travel", "List the places you stayed in over the last 14 days; send an empty list if you stayed here."));
            return;
        }

        if (travel.Count > MaxTravelEntries)
        {
            errors.Add(new("travel", "travel_too_many", $"List at most {MaxTravelEntries} stays; merge consecutive stays in the same region."));
            return;
        }

        var windowStart = today.AddDays(-TravelWindowDays);
        for (var i = 0; i < travel.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"travel[{i}]");
            if (travel[i] is not { } entry)
            {
                errors.Add(Required(path, "Remove the empty entry or fill in region, from and to."));
                continue;
            }

            ValidateRegion(path + ".region", entry.Region, errors);
            var fromOk = ValidateTravelDate(path + ".from", entry.From, today, windowStart, errors);
            var toOk = ValidateTravelDate(path + ".to", entry.To, today, windowStart, errors);
            if (fromOk && toOk && entry.From > entry.To)
            {
                errors.Add(new(path + ".to", "date_range_invalid", "The end of the stay is before its start; check the dates."));
            }
        }
    }

    private static bool ValidateTravelDate(string field, DateOnly? date, DateOnly today, DateOnly windowStart, List<FieldError> errors)
    {
        if (date is not { } value)
        {
            errors.Add(Required(field, "Enter the date (yyyy-MM-dd)."));
            return false;
        }

        if (value > today)
        {
            errors.Add(new(field, "date_in_future", "The date is in the future; declare only stays that have already happened."));
            return false;
        }

        if (value < windowStart)
        {
            errors.Add(new(field, "date_out_of_window", string.Create(CultureInfo.InvariantCulture,
                $"Declare only the last {TravelWindowDays} days: use {windowStart:yyyy-MM-dd} or later (for a longer stay, enter {windowStart:yyyy-MM-dd} as its start).")));
            return false;
        }

        return true;
    }

    private static void ValidateSymptoms(IReadOnlyList<string>? symptoms, List<FieldError> errors)
    {
        if (symptoms is null)
        {
            errors.Add(Required("symptoms", "List your symptoms; send an empty list if you have none."));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < symptoms.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"symptoms[{i}]");
            var symptom = symptoms[i];
            if (string.IsNullOrWhiteSpace(symptom))
            {
                errors.Add(Required(path, "Remove the empty symptom."));
            }
            else if (!Symptoms.IsKnown(symptom))
            {
                errors.Add(new(path, "symptom_unknown", $"Choose symptoms from: {string.Join(", ", Symptoms.Vocabulary)}."));
            }
            else if (!seen.Add(symptom))
            {
                errors.Add(new(path, "symptom_duplicate", $"'{symptom}' is listed more than once; list each symptom once."));
            }
        }
    }

    private static void ValidateTemperature(decimal? temperature, List<FieldError> errors)
    {
        if (temperature is not { } value)
        {
            errors.Add(Required("temperature", "Enter your body temperature in °C, for example 36.5."));
        }
        else if (value is < MinTemperature or > MaxTemperature)
        {
            errors.Add(new("temperature", "temperature_out_of_range", string.Create(CultureInfo.InvariantCulture,
                $"Enter the temperature in °C between {MinTemperature:0.0} and {MaxTemperature:0.0}; measure again if the reading is outside that range.")));
        }
    }

    private static void ValidateContact(ContactDeclaration? contact, List<FieldError> errors)
    {
        if (contact is null)
        {
            errors.Add(Required("contact", "Answer the three contact questions (confirmedCase, suspectedCase, closeContactNotice)."));
            return;
        }

        if (contact.ConfirmedCase is null)
        {
            errors.Add(Required("contact.confirmedCase", "Answer whether you are a confirmed case or had contact with one (true or false)."));
        }

        if (contact.SuspectedCase is null)
        {
            errors.Add(Required("contact.suspectedCase", "Answer whether you are a suspected case or had contact with one (true or false)."));
        }

        if (contact.CloseContactNotice is null)
        {
            errors.Add(Required("contact.closeContactNotice", "Answer whether you received a close-contact notice (true or false)."));
        }
    }

    private static void ValidateLastTest(TestDeclaration? test, DateOnly today, List<FieldError> errors)
    {
        if (test is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(test.Result))
        {
            errors.Add(Required("lastTest.result", "Enter the result of your last test: negative or positive."));
        }
        else if (test.Result is not ("negative" or "positive"))
        {
            errors.Add(new("lastTest.result", "test_result_invalid", "The test result must be 'negative' or 'positive'."));
        }

        if (test.At is not { } at)
        {
            errors.Add(Required("lastTest.at", "Enter when the test sample was taken."));
        }
        else if (ChinaTime.DateOf(at) > today)
        {
            errors.Add(new("lastTest.at", "date_in_future", "The test date is in the future; enter when the sample was taken."));
        }
    }

    private static FieldError Required(string field, string message) => new(field, "required", message);
}
