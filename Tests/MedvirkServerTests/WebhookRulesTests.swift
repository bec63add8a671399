import Foundation
import MedvirkCore
import Testing

@Suite struct WebhookRulesTests {
    /// The example of the Standard Webhooks specification's reference libraries.
    @Test func signaturesMatchTheStandardWebhooksExample() {
        let signature = WebhookSignature.sign(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                              timestamp: 1_614_265_330, body: Data(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(WebhookSignature.sign(secret: "not-a-secret", id: "x", timestamp: 1, body: Data()) == nil)
        let secret = WebhookSignature.newSecret()
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 24)
    }

    @Test func onlyGloballyReachableAddressesArePublic() {
        for address in ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8"] {
            #expect(PublicAddress.isPublic(address), "\(address)")
        }
        for address in ["127.0.0.1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                        "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1",
                        "ff02::1", "1::", "4000::1", "e000::1", "::ffff:0:a9fe:a9fe", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "2001:db8::1", "example.org", ""] {
            #expect(!PublicAddress.isPublic(address), "\(address)")
        }
    }

    @Test func retrySchedulesParseAndHonourRetryAfter() throws {
        let schedule = try #require(RetrySchedule(parsing: "5s,5m,30m,2h,5h,10h,10h"))
        #expect(schedule == .standard && schedule.attempts == 8)
        #expect(schedule.wait(after: 1, jitter: 0, retryAfter: nil) == 5)
        #expect(schedule.wait(after: 1, jitter: 1, retryAfter: nil) == 6)
        #expect(schedule.wait(after: 2, jitter: 0, retryAfter: 900) == 900)
        #expect(schedule.wait(after: 1, jitter: 0, retryAfter: 10 * 86_400) == 86_400)
        #expect(schedule.wait(after: 8, jitter: 0, retryAfter: nil) == nil)
        #expect(RetrySchedule(parsing: "0s,1,2m")?.waits == [0, 1, 120])
        for bad in ["", "5x", "250ms", "-1s", "25h", "1s,,2s", String(repeating: "1s,", count: 20) + "1s"] { #expect(RetrySchedule(parsing: bad) == nil, "\(bad)") }
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetrySchedule.retryAfter("120", now: now) == 120)
        #expect(RetrySchedule.retryAfter("Tue, 14 Nov 2023 22:46:40 GMT", now: now) == 2000)
        #expect(RetrySchedule.retryAfter("soon", now: now) == nil)
        #expect(AttemptVerdict.of(status: 204) == .delivered && AttemptVerdict.of(status: 408) == .retry && AttemptVerdict.of(status: 503) == .retry)
        #expect(AttemptVerdict.of(status: 301) == .fail && AttemptVerdict.of(status: 404) == .fail && AttemptVerdict.of(status: 429) == .retry)
    }
}
