import MedvirkCore
import Testing

@Suite struct IdentifierTests {
    /// Ids are a prefix and 12 base-32 characters (60 random bits); every character position must vary.
    @Test func idsAreTwelveRandomBase32Characters() {
        let ids = (0..<5_000).map { _ in Identifiers.make("res") }
        #expect(Set(ids).count == ids.count)
        let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")
        for id in ids {
            #expect(id.hasPrefix("res_") && id.count == 16 && id.dropFirst(4).allSatisfy(alphabet.contains))
        }
        for position in 4..<16 {
            let seen = Set(ids.map { Array($0)[position] })
            #expect(seen.count == 32, "position \(position) used \(seen.count) of 32 characters")
        }
    }

    @Test func randomBytesHaveTheAskedLength() {
        for count in [0, 1, 7, 8, 9, 32] { #expect(Identifiers.randomBytes(count).count == count) }
        #expect(Identifiers.randomBytes(32) != Identifiers.randomBytes(32))
    }
}
