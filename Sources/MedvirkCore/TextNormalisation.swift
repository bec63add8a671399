import Foundation

/// Unicode Normalization Form C (UAX #15), the one form Medvirk stores and compares text in: `å` typed as
/// U+00E5 and as `a` + U+030A COMBINING RING ABOVE become the same bytes, so search, matching and redaction
/// see one text. Foundation's `precomposedStringWithCanonicalMapping` does the work.
public enum TextNormalisation {
    /// The NFC form of `text`; ASCII text is returned as it is without being examined further.
    public static func nfc(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        return text.precomposedStringWithCanonicalMapping
    }

    /// The NFC form of UTF-8 bytes, or nil when they are already NFC (or not UTF-8, left to the decoder to refuse).
    public static func nfcIfChanged(_ bytes: some Collection<UInt8>) -> [UInt8]? {
        guard bytes.contains(where: { $0 >= 0x80 }), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let normal = text.precomposedStringWithCanonicalMapping
        return normal.utf8.elementsEqual(bytes) ? nil : Array(normal.utf8)
    }
}
