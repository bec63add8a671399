import MedvirkCore
import Testing

@Suite struct NationalIdScreeningTests {
    @Test(arguments: [
        ("Mit CPR er 010190-1234.", true),
        ("CPR 0101901234 står her", true),
        ("Født 290200-1111 i skudår", true),
        ("Ikke en dato: 320190-1234", false),
        ("Ikke en dato: 310490-1234", false),
        ("For langt: 01019012345678", false),
        ("Fødselsnummer 31129949980", true),
        ("Fødselsnummer 01010101006", true),
        ("Feil kontrollsiffer 31129949981", false),
        ("Telefon 45 20 30 40 50 og postnummer 2970", false),
        ("", false),
    ])
    func screening(text: String, flagged: Bool) {
        #expect(NationalIdScreening.containsNationalId(text) == flagged)
    }
}
