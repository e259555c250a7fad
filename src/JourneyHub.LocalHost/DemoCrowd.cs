using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JourneyHub.LocalHost;

/// <summary>
/// About two hundred shoppers of three personas for the segment journey map (<c>/api/ui/journeys</c>), sent through the
/// custom sources (shop web, point of sale, survey tool) after the five story customers. The personas differ the way
/// marketers expect: bargain hunters come from ads, buy small and cheap when a promotion lands and complain about
/// delivery; loyal regulars join in store, buy again every few weeks and promote the shop; careful researchers read and
/// compare for weeks, ask in chat, buy big, and are the most let down by slow answers. Deterministic per day: the same
/// seed and ids, so a second run on the same day adds nothing.
/// </summary>
public static class DemoCrowd
{
    public const int Size = 198;
    public static readonly string[] Personas = ["Bargain hunter", "Loyal regular", "Careful researcher"];

    public static IReadOnlyList<DemoDelivery> Build(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var deliveries = new List<DemoDelivery>();
        for (var i = 0; i < Size; i++)
        {
            deliveries.AddRange(new Shopper(i, today, now).Journey());
        }

        return deliveries;
    }

    private sealed class Shopper(int index, DateTimeOffset today, DateTimeOffset now)
    {
        private readonly Random random = new(1000 + index);
        private readonly List<DemoDelivery> deliveries = [];
        private readonly string email = $"shopper{index:D3}@demo.example";
        private int counter;
        private DateTimeOffset at;

        public List<DemoDelivery> Journey()
        {
            var persona = Personas[index % 3];
            at = today.AddDays(-random.Next(20, 300)).AddHours(8 + random.Next(0, 12)).AddMinutes(random.Next(0, 60));
            switch (index % 3)
            {
                case 0:
                    BargainHunter(persona);
                    break;
                case 1:
                    LoyalRegular(persona);
                    break;
                default:
                    CarefulResearcher(persona);
                    break;
            }

            return deliveries;
        }

        private void BargainHunter(string persona)
        {
            Event("web", "ads", "ad.clicked", "awareness", "Clicked a 30% off ad", persona: persona);
            for (var n = random.Next(2, 5); n > 0; n--)
            {
                Later(0.2, 4);
                Event("web", "web", "page.viewed", null, "Viewed the sale page");
            }

            Later(1, 6);
            Event("web", "email", "email.clicked", "consideration", "Clicked the weekend promotion e-mail");
            if (random.Next(100) < 45)
            {
                Later(0.5, 5);
                Purchase(random.Next(20, 70));
                Later(3, 9);
                Review(random.Next(1, 4), "Cheap, but delivery took forever");
                Later(5, 20);
                Survey("nps", random.Next(4, 9));
                if (random.Next(100) < 30)
                {
                    Later(20, 60);
                    Event("web", "email", "email.clicked", null, "Clicked the clearance e-mail");
                    Later(0.2, 2);
                    Purchase(random.Next(15, 50));
                }
            }
        }

        private void LoyalRegular(string persona)
        {
            Event("pos", "in_store", "loyalty.joined", "awareness", "Joined the loyalty club at the till", persona: persona);
            Later(1, 3);
            Event("web", "web", "product.viewed", "consideration", "Viewed the new season's jackets");
            if (random.Next(100) < 85)
            {
                Later(1, 5);
                Purchase(random.Next(60, 160));
                for (var n = random.Next(2, 6); n > 0; n--)
                {
                    Later(14, 30);
                    Event("web", "email", "newsletter.opened", null, "Opened the members' newsletter");
                    Later(0.5, 3);
                    Purchase(random.Next(40, 140));
                }

                Later(2, 10);
                Review(random.Next(4, 6), "Friendly staff, always in stock");
                Later(5, 15);
                Survey("nps", random.Next(9, 11));
                if (random.Next(100) < 20)
                {
                    Later(3, 10);
                    Event("web", "chat", "support.chat", null, "Asked about a repair");
                    Later(0.1, 1);
                    Survey("csat", 3);
                }
            }
        }

        private void CarefulResearcher(string persona)
        {
            Event("web", "web", "article.read", "awareness", "Read the buying guide for winter tents", persona: persona);
            for (var n = random.Next(3, 7); n > 0; n--)
            {
                Later(2, 8);
                Event("web", "web", "product.viewed", n == 2 ? "consideration" : null, "Compared tents side by side");
            }

            Later(1, 6);
            Event("web", "chat", "chat.started", "consideration", "Asked in chat about weight and warmth");
            if (random.Next(100) < 40)
            {
                // Slow answers: the questions that go unanswered for days are this persona's pain.
                Later(0.5, 2);
                Survey("csat", random.Next(1, 3));
            }

            if (random.Next(100) < 50)
            {
                Later(5, 20);
                Purchase(random.Next(250, 900));
                Later(10, 30);
                Review(random.Next(3, 6), "Exactly as described after a long search");
                Later(10, 30);
                Survey("nps", random.Next(6, 11));
            }
        }

        private void Later(double minDays, double maxDays) => at = at.AddHours((minDays + (random.NextDouble() * (maxDays - minDays))) * 24);

        private void Purchase(int amount) =>
            Event("pos", "in_store", "purchase.completed", "decision", string.Create(CultureInfo.InvariantCulture, $"Bought gear in store ({amount}.00 EUR)"), attributes: new JsonObject { ["amount"] = amount.ToString("0.00", CultureInfo.InvariantCulture), ["currency"] = "EUR" });

        private void Review(int stars, string text) =>
            Event("web", "review", "review.posted", "retention", $"{stars}★ review: {text}", rating: new JsonObject { ["value"] = Math.Clamp(stars, 1, 5), ["scale"] = 5 });

        private void Survey(string type, int score) =>
            Event("nps-survey", "survey", null, null, null, survey: new JsonObject { ["type"] = type, ["score"] = type == "csat" ? Math.Clamp(score, 1, 5) : Math.Clamp(score, 0, 10) });

        private void Event(string source, string channel, string? action, string? stage, string? summary, string? persona = null, JsonObject? attributes = null, JsonObject? rating = null, JsonObject? survey = null)
        {
            if (at > now.AddMinutes(-5))
            {
                return; // the journey has not got that far yet
            }

            var externalId = string.Create(CultureInfo.InvariantCulture, $"crowd_{index:D3}_{++counter:D2}");
            var data = new JsonObject
            {
                ["sourceSystem"] = "demo-" + source,
                ["externalId"] = externalId,
                ["channel"] = channel,
                ["occurredAt"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["person"] = new JsonObject { ["email"] = email },
            };
            Put(data, "action", action);
            Put(data, "stage", stage);
            Put(data, "summary", summary);
            attributes ??= [];
            if (persona is not null)
            {
                attributes["persona"] = persona;
            }

            data["attributes"] = attributes;
            if (rating is not null)
            {
                data["rating"] = rating;
            }

            if (survey is not null)
            {
                data["survey"] = survey;
            }

            var body = new JsonObject { ["type"] = "touchpoint.created", ["timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), ["data"] = data };
            deliveries.Add(new DemoDelivery($"api/webhooks/custom/{source}", "application/json", JsonSerializer.SerializeToUtf8Bytes(body), DemoSigner.StandardWebhooks, 1, source, "msg_demo_" + externalId));
        }

        private static void Put(JsonObject data, string name, string? value)
        {
            if (value is not null)
            {
                data[name] = value;
            }
        }
    }
}
