using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using JourneyHub.Azure.Storage;

namespace JourneyHub.LoadHarness;

/// <summary>
/// Generated hostile requests at every webhook route, written as raw HTTP/1.1 on a socket so that broken
/// framing and headers reach the server as sent: truncated and mutated bodies, bodies over the limit
/// (with and without Content-Length), wrong content types, broken UTF-8, deeply nested JSON, XML with a
/// DTD and entity expansion, header injection attempts, missing and duplicated headers. The server must
/// never answer 5xx, must stay up and bounded in memory, and must archive every request it acknowledged,
/// which includes every request with a valid signature.
/// </summary>
public static class HostileInput
{
    private const int Mutations = 14;

    private static readonly string[] Kinds =
    [
        "truncated", "mutated", "wrong-signature", "too-large", "too-large-chunked", "content-type", "broken-utf8",
        "deep-nesting", "dtd-entities", "header-injection", "missing-headers", "duplicated-headers", "stale-or-forged", "garbage",
    ];

    private sealed record Route(string Name, SourceKind Kind, string Method, string BlobPrefix);

    private static readonly Route[] Routes =
    [
        new("POST /api/webhooks/hubspot", SourceKind.HubSpot, "POST", "hubspot/"),
        new("POST /api/webhooks/salesforce", SourceKind.Salesforce, "POST", "salesforce/"),
        new("POST /api/webhooks/meta", SourceKind.MetaPage, "POST", "meta/"),
        new("GET /api/webhooks/meta", SourceKind.MetaPage, "GET", ""),
        new("POST /api/webhooks/trustpilot", SourceKind.Trustpilot, "POST", "trustpilot/"),
        new("POST /api/webhooks/custom/{name}", SourceKind.Custom, "POST", "custom/"),
        new("POST /api/webhooks/shopify", SourceKind.Shopify, "POST", "shopify/"),
        new("POST /api/webhooks/zendesk", SourceKind.Zendesk, "POST", "zendesk/"),
        new("POST /api/webhooks/intercom", SourceKind.Intercom, "POST", "intercom/"),
        new("POST /api/webhooks/typeform", SourceKind.Typeform, "POST", "typeform/"),
        new("POST /api/webhooks/surveymonkey", SourceKind.SurveyMonkey, "POST", "surveymonkey/"),
        new("HEAD /api/webhooks/surveymonkey", SourceKind.SurveyMonkey, "HEAD", ""),
        new("POST /api/webhooks/delighted", SourceKind.Delighted, "POST", "delighted/"),
    ];

    private sealed class RouteTally
    {
        public ConcurrentDictionary<int, int> Statuses { get; } = new();
        public int Sent;
        public int NoReply;
        public int ValidlySigned;
        public int ValidlySignedAccepted;
        public int ValidlySignedNoReply;
        public int Accepted;
        public ConcurrentDictionary<int, int> NoReplyKinds { get; } = new();

        /// <summary>SHA-256 of every acknowledged body: equal bytes are one archived payload (the archive key derives from the content).</summary>
        public ConcurrentDictionary<string, byte> AcceptedBodies { get; } = new(StringComparer.Ordinal);
    }

    public static async Task<HarnessOutcome> RunAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        await using var environment = await HubEnvironment.StartAsync(options, persistent: false, null, null, cancellationToken);
        output.WriteLine($"scenario hostile: {options.HostilePerRoute} generated requests per route, {Routes.Length} routes, raw HTTP/1.1 on 127.0.0.1:{environment.Port}");
        var tallies = Routes.ToDictionary(r => r.Name, _ => new RouteTally());
        var random = new Random(options.Seed);
        var work = Routes.SelectMany(r => Enumerable.Range(0, options.HostilePerRoute).Select(i => (Route: r, Index: i, Seed: random.Next()))).OrderBy(_ => random.Next()).ToList();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var memorySampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && environment.HostIsRunning)
            {
                environment.SamplePeak();
                await Task.Delay(200, sampling.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }, CancellationToken.None);
        var done = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var (route, index, seed) = item;
            var tally = tallies[route.Name];
            var request = Build(environment, route, index, new Random(seed));
            Interlocked.Increment(ref tally.Sent);
            var status = await SendRawAsync(environment.Port, request.Bytes, ct);
            if (status is { } s)
            {
                tally.Statuses.AddOrUpdate(s, 1, (_, c) => c + 1);
                if (s is >= 200 and < 300 && route.Method == "POST")
                {
                    Interlocked.Increment(ref tally.Accepted);
                    tally.AcceptedBodies.TryAdd(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(request.Body)), 0);
                }
            }
            else
            {
                Interlocked.Increment(ref tally.NoReply);
                tally.NoReplyKinds.AddOrUpdate(index % Mutations, 1, (_, c) => c + 1);
            }

            if (request.ValidlySigned)
            {
                Interlocked.Increment(ref tally.ValidlySigned);
                if (status is >= 200 and < 300)
                {
                    Interlocked.Increment(ref tally.ValidlySignedAccepted);
                }
                else if (status is null)
                {
                    Interlocked.Increment(ref tally.ValidlySignedNoReply);
                }
            }

            if (Interlocked.Increment(ref done) % 2000 == 0)
            {
                output.WriteLine($"  {done} / {work.Count}");
            }
        });

        await sampling.CancelAsync();
        await memorySampler;
        var alive = environment.HostIsRunning;
        using var client = environment.CreateClient();
        var healthy = alive && (await client.GetAsync(new Uri("/api/health", UriKind.Relative), cancellationToken)).IsSuccessStatusCode;

        // A small body is stored in its queue message until the processor archives it: count once the queue is drained.
        if (alive)
        {
            await Harness.WaitForEmptyQueueAsync(environment, DateTime.UtcNow.AddMinutes(2), cancellationToken);
        }

        var archivedBySource = await ArchivedPayloadsAsync(environment, cancellationToken);
        var total500 = 0;
        foreach (var route in Routes)
        {
            var tally = tallies[route.Name];
            var blobs = route.BlobPrefix.Length > 0 ? archivedBySource.Where(a => a.Key.StartsWith(route.BlobPrefix, StringComparison.Ordinal)).Sum(a => a.Value) : 0;

            var fiveHundreds = tally.Statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
            total500 += fiveHundreds;
            var noReplyKinds = string.Join(",", tally.NoReplyKinds.OrderBy(k => k.Key).Select(k => $"{Kinds[k.Key]} x{k.Value}"));
            output.WriteLine($"  {route.Name,-36} sent {tally.Sent}: {string.Join(", ", tally.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}; no reply {tally.NoReply}{(noReplyKinds.Length > 0 ? $" ({noReplyKinds})" : "")}");
            if (route.Method == "POST")
            {
                output.WriteLine($"  {"",-36} validly signed {tally.ValidlySigned}: acknowledged {tally.ValidlySignedAccepted}, no reply {tally.ValidlySignedNoReply}, refused {tally.ValidlySigned - tally.ValidlySignedAccepted - tally.ValidlySignedNoReply}; all acknowledged {tally.Accepted} ({tally.AcceptedBodies.Count} distinct bodies); payloads archived {blobs}");

                // Every acknowledged body is archived (equal bytes once); a request whose reply never reached the client
                // may be archived too (the sender retries it; deterministic ids make that harmless).
                if (blobs < tally.AcceptedBodies.Count || blobs > tally.Accepted + tally.NoReply)
                {
                    outcome.Failures.Add($"{route.Name}: {tally.Accepted} acknowledged ({tally.AcceptedBodies.Count} distinct bodies, +{tally.NoReply} without reply) but {blobs} payloads archived");
                }

                if (tally.ValidlySignedAccepted + tally.ValidlySignedNoReply != tally.ValidlySigned)
                {
                    outcome.Failures.Add($"{route.Name}: {tally.ValidlySigned - tally.ValidlySignedAccepted - tally.ValidlySignedNoReply} validly signed requests were refused");
                }
            }

            if (fiveHundreds > 0)
            {
                outcome.Failures.Add($"{route.Name}: {fiveHundreds} answers were 5xx");
            }

            outcome.Figures[route.Name + " sent"] = tally.Sent;
            outcome.Figures[route.Name + " 5xx"] = fiveHundreds;
        }

        var peak = environment.PeakWorkingSetBytes / 1024.0 / 1024.0;
        outcome.Figures["hostPeakWorkingSetMB"] = peak;
        outcome.Figures["http5xx"] = total500;
        output.WriteLine($"  host alive {alive}, healthy {healthy}; peak working set {peak:F0} MB");
        if (!alive || !healthy)
        {
            outcome.Failures.Add("the local host did not survive the hostile input\n" + environment.HostOutput);
        }

        if (peak > 600)
        {
            outcome.Failures.Add($"peak working set {peak:F0} MB: memory is not bounded by the 1 MiB body limit");
        }

        if (outcome.Passed)
        {
            outcome.Proved.Add($"{work.Count} hostile requests over {Routes.Length} routes: no 5xx, host up, every acknowledged request archived, every validly signed request acknowledged, peak working set {peak:F0} MB");
            output.WriteLine("  proved: " + outcome.Proved[0]);
        }

        return outcome;
    }

    /// <param name="Body">The request body, empty for GET.</param>
    private sealed record RawRequest(byte[] Bytes, bool ValidlySigned, byte[] Body);

    /// <summary>Archived payloads by "source/" path (table entities by their Source, blobs by name prefix).</summary>
    private static async Task<Dictionary<string, int>> ArchivedPayloadsAsync(HubEnvironment environment, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string path) => counts[path] = counts.GetValueOrDefault(path) + 1;
        var table = environment.Tables.GetTableClient(StorageNames.RawPayloadsTable);
        try
        {
            await foreach (var entity in table.QueryAsync<global::Azure.Data.Tables.TableEntity>(select: ["Source"], cancellationToken: cancellationToken))
            {
                Add((entity.GetString("Source") ?? "").Replace(':', '/') + "/");
            }
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing was ever archived in the table.
        }

        var container = environment.RawContainer;
        if (await container.ExistsAsync(cancellationToken))
        {
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, null, cancellationToken))
            {
                Add(blob.Name);
            }
        }

        return counts;
    }

    private static RawRequest Build(HubEnvironment environment, Route route, int index, Random random)
    {
        if (route.Method == "GET")
        {
            return new RawRequest(MetaVerification(environment, index, random), false, []);
        }

        if (route.Method == "HEAD")
        {
            return new RawRequest(SurveyMonkeyCheck(environment, index, random), false, []);
        }

        var baseEvent = new WorkloadEvent(index, new Person(index, route.Kind, route.Kind switch
        {
            SourceKind.HubSpot => "hubspot:555000111",
            SourceKind.Salesforce => "salesforce:003Lhostile000001AAB",
            SourceKind.MetaPage => "meta:6700000000001",
            SourceKind.Trustpilot => "trustpilot:tpc-hostile",
            SourceKind.Shopify => "shopify:800000000001",
            SourceKind.Zendesk => "zendesk:900000000001",
            SourceKind.Intercom => "intercom:ic-hostile",
            SourceKind.Typeform => "typeform:tfu-hostile",
            SourceKind.SurveyMonkey => "surveymonkey:sm-hostile",
            SourceKind.Delighted => "delighted:dl-hostile",
            _ => "email:hostile@load.example",
        }), DateTimeOffset.UtcNow);
        var valid = Workload.Body(baseEvent);
        var mutation = index % Mutations;
        byte[] body;
        var contentType = route.Kind == SourceKind.Salesforce ? "text/xml; charset=utf-8" : "application/json";
        var sign = true;
        var chunked = false;
        var headerEdits = new List<Func<List<(string Name, string Value)>, List<(string, string)>>>();
        switch (mutation)
        {
            case 0: // truncated
                body = valid[..random.Next(0, valid.Length)];
                break;
            case 1: // mutated bytes
                body = (byte[])valid.Clone();
                for (var i = 0; i < 1 + random.Next(8); i++)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }

                break;
            case 2: // wrong signature
                body = valid;
                sign = false;
                break;
            case 3: // over the limit with Content-Length
                body = new byte[WebhookLimit + 1 + random.Next(3 * WebhookLimit)];
                random.NextBytes(body);
                break;
            case 4: // over the limit, chunked (no Content-Length)
                body = Encoding.UTF8.GetBytes(new string('[', WebhookLimit + 10 + random.Next(WebhookLimit)));
                chunked = true;
                break;
            case 5: // wrong content type
                body = valid;
                contentType = new[] { "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "", "application/json\u0000", "*/*", "application/xml" }[random.Next(7)];
                if (route.Kind == SourceKind.Salesforce)
                {
                    contentType = new[] { "application/json", "text/plain", "" }[random.Next(3)];
                }

                break;
            case 6: // broken UTF-8
                body = [.. valid[..(valid.Length / 2)], 0xC3, 0x28, 0xE2, 0x82, 0xC0, 0xAF, 0xFF, 0xFE, .. valid[(valid.Length / 2)..]];
                break;
            case 7: // deeply nested JSON
                var depth = 1000 + random.Next(100_000);
                body = Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth));
                if (route.Kind == SourceKind.Salesforce)
                {
                    body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", depth / 10)) + string.Concat(Enumerable.Repeat("</a>", depth / 10)));
                }

                break;
            case 8: // XML with a DTD and entity expansion ("billion laughs"), and an external entity
                body = Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">" +
                    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">" +
                    "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
                    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\">" +
                    $"<OrganizationId>{HubEnvironment.SalesforceOrganizationId}</OrganizationId><Notification><Id>&lol4;&xxe;</Id></Notification></notifications></soapenv:Body></soapenv:Envelope>");
                break;
            case 9: // header injection attempts: CR/LF, bare LF, NUL and obs-fold in header values
                body = valid;
                headerEdits.Add(h => [.. h, ("X-Injected", new[] { "a\r\nX-HubSpot-Signature-v3: forged", "b\nwebhook-id: forged", "c\u0000d", "e\r\n folded", "f\r\n\r\nGET / HTTP/1.1" }[random.Next(5)])]);
                break;
            case 10: // missing headers
                body = valid;
                headerEdits.Add(h => [.. h.Where(x => !IsAuthHeader(x.Name) || random.Next(3) == 0)]);
                break;
            case 11: // duplicated headers: signature twice, Content-Length twice, Content-Type twice
                body = valid;
                headerEdits.Add(h => random.Next(3) switch
                {
                    0 => [.. h, .. h.Where(x => IsAuthHeader(x.Name)).Select(x => (x.Name, x.Value + "x"))],
                    1 => [.. h, ("Content-Length", "3")],
                    _ => [.. h, ("Content-Type", "text/plain")],
                });
                break;
            case 12: // stale timestamps and forged key
                body = valid;
                headerEdits.Add(h => [.. h.Select(x => x.Name switch
                {
                    "X-HubSpot-Request-Timestamp" => (x.Name, DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
                    "webhook-timestamp" => (x.Name, DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                    "X-Zendesk-Webhook-Signature-Timestamp" => (x.Name, DateTimeOffset.UtcNow.AddMinutes(-30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                    // Shopify, Intercom and the survey tools sign no timestamp: forge the key instead.
                    "Typeform-Signature" => (x.Name, JourneyHub.Core.Signatures.TypeformSignature.Compute("forged-key", body)),
                    "Sm-Signature" => (x.Name, JourneyHub.Core.Signatures.SurveyMonkeySignature.Compute(HubEnvironment.SurveyMonkeyClientId, "forged-key", body)),
                    "X-Delighted-Webhook-Signature" => (x.Name, JourneyHub.Core.Signatures.DelightedSignature.Compute("forged-key", body)),
                    "X-Shopify-Hmac-Sha256" => (x.Name, JourneyHub.Core.Signatures.ShopifySignature.Compute("forged-key", body)),
                    "X-Hub-Signature" => (x.Name, JourneyHub.Core.Signatures.IntercomSignature.Compute("forged-key", body)),
                    _ => x,
                })]);
                break;
            default: // random garbage body, validly signed
                body = new byte[random.Next(0, 4096)];
                random.NextBytes(body);
                break;
        }

        var id = "hostile" + index.ToString(CultureInfo.InvariantCulture);
        using var signed = Workload.Signed(environment.BaseAddress, route.Kind, body, id);
        var path = signed.RequestUri!.PathAndQuery;
        var headers = signed.Headers.SelectMany(h => h.Value.Select(v => (h.Key, v))).ToList();
        if (!sign)
        {
            headers = [.. headers.Select(h => IsAuthHeader(h.Key) ? (h.Key, h.v.Length > 4 ? h.v[..^4] + "AAAA" : "AAAA") : h)];
            if (route.Kind is SourceKind.Salesforce or SourceKind.Trustpilot)
            {
                path = path.Replace(HubEnvironment.FunctionKey, "wrong-key", StringComparison.Ordinal);
            }
        }

        if (contentType.Length > 0)
        {
            headers.Add(("Content-Type", contentType));
        }

        headers.Add(chunked ? ("Transfer-Encoding", "chunked") : ("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)));
        foreach (var edit in headerEdits)
        {
            headers = edit(headers);
        }

        // Valid: signed over these exact bytes, an accepted content type, within the limit, headers untouched.
        var validlySigned = sign && mutation is 0 or 1 or 6 or 7 or 13 or 8 && !(mutation == 8 && route.Kind != SourceKind.Salesforce)
            && route.Kind != SourceKind.Salesforce;
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{environment.Port}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        var bytes = new List<byte>(Encoding.Latin1.GetBytes(head.ToString()));
        if (chunked)
        {
            foreach (var chunk in body.Chunk(64 * 1024))
            {
                bytes.AddRange(Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                bytes.AddRange(chunk);
                bytes.AddRange("\r\n"u8.ToArray());
            }

            bytes.AddRange("0\r\n\r\n"u8.ToArray());
        }
        else
        {
            bytes.AddRange(body);
        }

        return new RawRequest([.. bytes], validlySigned, body);
    }

    private const int WebhookLimit = 1024 * 1024;

    private static bool IsAuthHeader(string name) =>
        name.StartsWith("X-HubSpot", StringComparison.OrdinalIgnoreCase) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Hub-Signature-256", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Hub-Signature", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Shopify-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-Zendesk-Webhook-Signature", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Typeform-Signature", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Sm-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Delighted-Webhook-Signature", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// SurveyMonkey's subscription check, and abuse of it: junk query strings, a body smuggled onto a HEAD (with a
    /// Content-Length or chunked), oversized and duplicated headers. It must answer without a 5xx and store nothing.
    /// </summary>
    private static byte[] SurveyMonkeyCheck(HubEnvironment environment, int index, Random random)
    {
        var host = $"Host: 127.0.0.1:{environment.Port}\r\nConnection: close\r\n";
        var junk = new string('A', 1 + random.Next(20_000));
        return Encoding.Latin1.GetBytes((index % 6) switch
        {
            0 => $"HEAD /api/webhooks/surveymonkey HTTP/1.1\r\n{host}\r\n",
            1 => $"HEAD /api/webhooks/surveymonkey?{junk}=%ZZ&x=<script> HTTP/1.1\r\n{host}\r\n",
            2 => $"HEAD /api/webhooks/surveymonkey HTTP/1.1\r\n{host}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}",
            3 => $"HEAD /api/webhooks/surveymonkey HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            4 => $"HEAD /api/webhooks/surveymonkey HTTP/1.1\r\n{host}X-Big: {junk}\r\nSm-Signature: a\r\nSm-Signature: b\r\n\r\n",
            _ => $"HEAD /api/webhooks/surveymonkey/{junk[..Math.Min(junk.Length, 200)]} HTTP/1.1\r\n{host}\r\n",
        });
    }

    private static byte[] MetaVerification(HubEnvironment environment, int index, Random random)
    {
        var challenge = random.Next(8) switch
        {
            0 => new string('A', 1 + random.Next(20_000)),
            1 => "%ZZ%%%",
            2 => "<script>alert(1)</script>",
            3 => "%C3%28%E2%82",
            _ => random.Next().ToString(CultureInfo.InvariantCulture),
        };
        var query = (index % 6) switch
        {
            0 => $"hub.mode=subscribe&hub.verify_token=harness-verify-token&hub.challenge={challenge}",
            1 => $"hub.mode=subscribe&hub.verify_token=wrong&hub.challenge={challenge}",
            2 => $"hub.mode=unsubscribe&hub.challenge={challenge}",
            3 => $"hub.mode=subscribe&hub.mode=subscribe&hub.verify_token=harness-verify-token&hub.verify_token=x&hub.challenge={challenge}",
            4 => "hub.challenge=" + challenge,
            _ => challenge,
        };
        return Encoding.Latin1.GetBytes($"GET /api/webhooks/meta?{query} HTTP/1.1\r\nHost: 127.0.0.1:{environment.Port}\r\nConnection: close\r\n\r\n");
    }

    /// <summary>Writes the bytes, reads the status line; null when the server closed without answering.</summary>
    private static async Task<int?> SendRawAsync(int port, byte[] request, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            var reading = ReadStatusAsync(stream, timeout.Token);
            try
            {
                await stream.WriteAsync(request, timeout.Token);
            }
            catch (IOException)
            {
                // The server may answer (413) and close before the whole body is written.
            }

            return await reading;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<int?> ReadStatusAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var total = 0;
        while (total < buffer.Length)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            total += read;
            var text = Encoding.Latin1.GetString(buffer, 0, total);
            if (text.Contains("\r\n", StringComparison.Ordinal))
            {
                var parts = text.Split(' ', 3);
                return parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
            }
        }

        return null;
    }

    /// <summary>Blob names the processor will read later start with the stored source; kept for the docs' counting command.</summary>
    public static string Container => StorageNames.RawContainer;
}
