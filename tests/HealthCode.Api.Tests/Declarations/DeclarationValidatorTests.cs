using HealthCode.Api.Features.Declarations;
using static HealthCode.Api.Tests.Features.Declarations.DeclarationSamples;

namespace HealthCode.Api.Tests.Features.Declarations;

internal sealed class DeclarationValidatorTests
{
    private readonly DeclarationValidator validator = new();

    private static TravelEntry Stay(string region, int fromDaysAgo, int toDaysAgo) =>
        new(region, Today.AddDays(-fromDaysAgo), Today.AddDays(-toDaysAgo));

    private static IEnumerable<TestCaseData> InvalidFields()
    {
        static TestCaseData Case(string name, Func<Declaration, Declaration> change, string field, string code) =>
            new TestCaseData(change, field, code).SetName("Validate_Rejects_" + name);

        yield return Case("MissingName", d => d with { Name = null }, "name", "required");
        yield return Case("BlankName", d => d with { Name = "   " }, "name", "required");
        yield return Case("NameOver50", d => d with { Name = new string('张', 51) }, "name", "name_too_long");
        yield return Case("NameWithControlCharacter", d => d with { Name = "张\u0000三" }, "name", "name_invalid_characters");
        yield return Case("MissingIdNumber", d => d with { IdNumber = null }, "idNumber", "required");
        yield return Case("ShortIdNumber", d => d with { IdNumber = "41010519900307" }, "idNumber", "id_number_invalid_format");
        yield return Case("IdNumberChecksum", d => d with { IdNumber = WrongCheck("41010519900307123") }, "idNumber", "id_number_invalid_checksum");
        yield return Case("IdNumberBirthDate", d => d with { IdNumber = Id("41010519900230123") }, "idNumber", "id_number_invalid_birth_date");
        yield return Case("IdNumberRegion", d => d with { IdNumber = Id("99010519900307123") }, "idNumber", "id_number_invalid_region");
        yield return Case("MissingPhone", d => d with { Phone = null }, "phone", "required");
        yield return Case("LandlinePhone", d => d with { Phone = "02188886666" }, "phone", "phone_invalid");
        yield return Case("PhoneStartingWith12", d => d with { Phone = "12800138000" }, "phone", "phone_invalid");
        yield return Case("PhoneWithCountryCode", d => d with { Phone = "+8613800138000" }, "phone", "phone_invalid");
        yield return Case("MissingRegion", d => d with { Region = null }, "region", "required");
        yield return Case("RegionNotSixDigits", d => d with { Region = "4101" }, "region", "region_invalid_format");
        yield return Case("UnknownRegion", d => d with { Region = "419901" }, "region", "region_unknown");
        yield return Case("RetiredRegion", d => d with { Region = "371200" }, "region", "region_unknown");
        yield return Case("MissingTravel", d => d with { Travel = null }, "travel", "required");
        yield return Case("TooManyTravelEntries", d => d with { Travel = [.. Enumerable.Repeat(Stay("330100", 2, 1), 21)] }, "travel", "travel_too_many");
        yield return Case("NullTravelEntry", d => d with { Travel = [Stay("330100", 2, 1), null!] }, "travel[1]", "required");
        yield return Case("TravelRegionUnknown", d => d with { Travel = [Stay("330100", 2, 1), Stay("999900", 2, 1)] }, "travel[1].region", "region_unknown");
        yield return Case("TravelFromMissing", d => d with { Travel = [new TravelEntry("330100", null, Today)] }, "travel[0].from", "required");
        yield return Case("TravelToMissing", d => d with { Travel = [new TravelEntry("330100", Today, null)] }, "travel[0].to", "required");
        yield return Case("TravelFromInFuture", d => d with { Travel = [new TravelEntry("330100", Today.AddDays(1), Today)] }, "travel[0].from", "date_in_future");
        yield return Case("TravelToInFuture", d => d with { Travel = [new TravelEntry("330100", Today, Today.AddDays(2))] }, "travel[0].to", "date_in_future");
        yield return Case("TravelFromBeforeWindow", d => d with { Travel = [Stay("330100", 15, 3)] }, "travel[0].from", "date_out_of_window");
        yield return Case("TravelFromAfterTo", d => d with { Travel = [Stay("330100", 1, 3)] }, "travel[0].to", "date_range_invalid");
        yield return Case("MissingSymptoms", d => d with { Symptoms = null }, "symptoms", "required");
        yield return Case("UnknownSymptom", d => d with { Symptoms = ["cough", "headache"] }, "symptoms[1]", "symptom_unknown");
        yield return Case("SymptomInWrongCase", d => d with { Symptoms = ["Cough"] }, "symptoms[0]", "symptom_unknown");
        yield return Case("DuplicateSymptom", d => d with { Symptoms = ["cough", "fever", "cough"] }, "symptoms[2]", "symptom_duplicate");
        yield return Case("MissingTemperature", d => d with { Temperature = null }, "temperature", "required");
        yield return Case("TemperatureTooLow", d => d with { Temperature = 33.9m }, "temperature", "temperature_out_of_range");
        yield return Case("TemperatureTooHigh", d => d with { Temperature = 42.1m }, "temperature", "temperature_out_of_range");
        yield return Case("TemperatureInFahrenheit", d => d with { Temperature = 98.6m }, "temperature", "temperature_out_of_range");
        yield return Case("MissingContact", d => d with { Contact = null }, "contact", "required");
        yield return Case("MissingConfirmedCase", d => d with { Contact = new(null, false, false) }, "contact.confirmedCase", "required");
        yield return Case("MissingSuspectedCase", d => d with { Contact = new(false, null, false) }, "contact.suspectedCase", "required");
        yield return Case("MissingCloseContactNotice", d => d with { Contact = new(false, false, null) }, "contact.closeContactNotice", "required");
        yield return Case("MissingTestResult", d => d with { LastTest = new(null, DateTimeOffset.Parse("2025-03-09T10:00:00+08:00", null)) }, "lastTest.result", "required");
        yield return Case("UnknownTestResult", d => d with { LastTest = Test("inconclusive", Today) }, "lastTest.result", "test_result_invalid");
        yield return Case("MissingTestTime", d => d with { LastTest = new("negative", null) }, "lastTest.at", "required");
        yield return Case("TestInFuture", d => d with { LastTest = Test("negative", Today.AddDays(1)) }, "lastTest.at", "date_in_future");
        // 2025-03-10T17:00Z is 2025-03-11 01:00 in China: tomorrow there.
        yield return Case("TestInFutureInChinaTime", d => d with { LastTest = new("negative", DateTimeOffset.Parse("2025-03-10T17:00:00Z", null)) }, "lastTest.at", "date_in_future");
    }

    [TestCaseSource(nameof(InvalidFields))]
    public void Validate_NamesTheInvalidField(Func<Declaration, Declaration> change, string field, string code)
    {
        var errors = validator.Validate(change(Clean()), Today);

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(errors[0].Field, Is.EqualTo(field));
            Assert.That(errors[0].Code, Is.EqualTo(code));
            Assert.That(errors[0].Message, Is.Not.Empty);
        });
    }

    [Test]
    public void Validate_AcceptsACleanDeclaration()
    {
        Assert.That(validator.Validate(Clean(), Today), Is.Empty);
    }

    [Test]
    public void Validate_AcceptsEdgesOfEveryRange()
    {
        var declaration = Clean() with
        {
            Name = new string('张', 50),
            IdNumber = Id("11010519491231002").ToLowerInvariant(),
            Phone = "19912345678",
            Region = "659001",
            Travel = [Stay("330106", 14, 14), Stay("440300", 3, 0), .. Enumerable.Repeat(Stay("410100", 2, 1), 18)],
            Symptoms = ["fever", "cough", "fatigue", "sore_throat", "loss_of_taste_smell", "shortness_of_breath", "diarrhea"],
            Temperature = 42.0m,
            Contact = new(true, true, true),
            LastTest = Test("positive", Today),
        };

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(declaration, Today), Is.Empty);
            Assert.That(validator.Validate(declaration with { Temperature = 34.0m }, Today), Is.Empty);
        });
    }

    [Test]
    public void Validate_ReportsEveryInvalidFieldSeparately()
    {
        var declaration = new Declaration(
            Name: "",
            IdNumber: WrongCheck("41010519900307123"),
            Phone: "123",
            Region: "000000",
            Travel: [new TravelEntry("330100", Today.AddDays(-20), Today.AddDays(1))],
            Symptoms: ["sneezing"],
            Temperature: 50m,
            Contact: new ContactDeclaration(null, false, null),
            LastTest: new TestDeclaration("maybe", null));

        var errors = validator.Validate(declaration, Today);

        Assert.That(errors.Select(e => $"{e.Field}:{e.Code}"), Is.EqualTo(EveryFieldWrong));
    }

    private static readonly string[] EveryFieldWrong =
        [
            "name:required",
            "idNumber:id_number_invalid_checksum",
            "phone:phone_invalid",
            "region:region_unknown",
            "travel[0].from:date_out_of_window",
            "travel[0].to:date_in_future",
            "symptoms[0]:symptom_unknown",
            "temperature:temperature_out_of_range",
            "contact.confirmedCase:required",
            "contact.closeContactNotice:required",
            "lastTest.result:test_result_invalid",
            "lastTest.at:required",
        ];
}
