import Foundation

/// Sorting names as people of the municipality's language expect: Danish and Norwegian put Æ, Ø, Å after Z
/// and read "Aa" as Å (Aabenraa after Zealand). Foundation's locale-aware compare (ICU's collation rules for
/// the locale, CLDR) does the work; byte order would put Å before B and Æble before Zealand.
public enum Collation {
    /// The locale whose collation a language sorts by.
    public static func locale(_ language: Language) -> Locale {
        switch language {
        case .da: Locale(identifier: "da_DK")
        case .nb: Locale(identifier: "nb_NO")
        case .nn: Locale(identifier: "nn_NO")
        }
    }

    /// `items` ordered by `name` in `language`; equal names keep their order.
    public static func sorted<T>(_ items: [T], language: Language, by name: (T) -> String) -> [T] {
        let locale = locale(language)
        return items.enumerated().sorted { a, b in
            switch name(a.element).compare(name(b.element), options: [.caseInsensitive], range: nil, locale: locale) {
            case .orderedAscending: true
            case .orderedDescending: false
            case .orderedSame: a.offset < b.offset
            }
        }.map(\.element)
    }
}
