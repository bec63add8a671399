/// The words of texts the service writes, in a municipality's language (Danish, Bokmål, Nynorsk).
public enum Wording {
    /// "møder" (da), "møter" (nb), "møte" (nn): a calendar of meetings.
    public static func meetings(_ language: Language) -> String {
        switch language {
        case .da: "møder"
        case .nb: "møter"
        case .nn: "møte"
        }
    }

    /// "høringer" (da, nb), "høyringar" (nn): a calendar of consultation deadlines.
    public static func consultations(_ language: Language) -> String {
        language == .nn ? "høyringar" : "høringer"
    }

    /// "Høringsfrist" (da, nb), "Høyringsfrist" (nn): the summary of a deadline event.
    public static func deadline(_ language: Language) -> String {
        language == .nn ? "Høyringsfrist" : "Høringsfrist"
    }

    /// "Fjordby Ældreråd – møder": what a feed holds, after whose it is.
    public static func calendarName(_ owner: String, _ contents: String) -> String {
        owner + " – " + contents
    }
}
