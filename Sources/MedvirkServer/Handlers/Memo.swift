import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import OpenAPIRuntime

extension APIHandlers {
    /// The stored JSON of a memo version: compact, sorted keys, RFC 3339 dates in whole seconds.
    static let memoEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTimestamp.secondsText(date))
        }
        return encoder
    }()

    static let memoDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func api(_ m: HearingMemo) throws -> Components.Schemas.Memo {
        func entry(_ e: HearingMemo.Entry) throws -> Components.Schemas.MemoResponse {
            .init(receiptNumber: e.receiptNumber, receivedAt: e.receivedAt, late: e.late, answerType: try convert(e.answerType),
                  sender: .init(kind: try convert(e.sender.kind), name: e.sender.name, organisation: e.sender.organisation,
                                onBehalfOf: e.sender.onBehalfOf),
                  themeIds: e.themeIds, summary: e.summary, assessment: e.assessment, accommodated: try e.accommodated.map(convert))
        }
        let p = m.period
        return .init(
            consultationId: m.consultationId, version: m.version, draft: m.isDraft, language: try convert(m.language), title: m.title,
            caseNumber: m.caseNumber,
            period: .init(opensAt: p.opensAt, closesAt: p.closesAt, opensOn: p.opensOn.text, closesOn: p.closesOn.text, days: p.days,
                          timeZone: p.timeZone, shortPeriodReason: p.shortPeriodReason),
            introduction: m.introduction,
            parties: try m.parties.map { .init(name: $0.name, kind: try convert($0.kind), answer: try convert($0.answer)) },
            sections: try m.sections.map { .init(themeId: $0.themeId, title: $0.title, description: $0.description, responses: try $0.entries.map(entry)) },
            recommendation: m.recommendation,
            counts: .init(responses: m.counts.responses, noComments: m.counts.noComments, late: m.counts.late, withheld: m.counts.withheld,
                          partiesInvited: m.counts.partiesInvited, partiesResponded: m.counts.partiesResponded),
            generatedAt: m.generatedAt)
    }

    /// Every format of a memo, as a published version stores it.
    @Sendable static func renderMemo(_ memo: HearingMemo) throws -> RenderedMemo {
        RenderedMemo(json: try memoEncoder.encode(api(memo)), markdown: Data(MemoMarkdown.render(memo).utf8),
                     html: Data(MemoHTML.render(memo).utf8), csv: Data(MemoCSV.render(memo).utf8))
    }

    static func api(_ info: MemoVersionInfo, consultation: String) -> Components.Schemas.MemoVersion {
        .init(version: info.version, publishedAt: info.publishedAt, href: info.href(consultation: consultation),
              retractedAt: info.retractedAt, retractionReason: info.retractionReason)
    }

    static func memoOutput(_ body: Data, format: MemoFormat) throws -> Operations.GetMemo.Output {
        switch format {
        case .json: .ok(.init(body: .json(try memoDecoder.decode(Components.Schemas.Memo.self, from: body))))
        case .markdown: .ok(.init(body: .textMarkdown(HTTPBody(body))))
        case .html: .ok(.init(body: .html(HTTPBody(body))))
        case .csv: .ok(.init(body: .csv(HTTPBody(body))))
        }
    }

    func getMemo(_ input: Operations.GetMemo.Input) async throws -> Operations.GetMemo.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        try Self.checkVersion(input.query.version)
        let format = MemoFormat(rawValue: (input.query.format ?? .json).rawValue) ?? .json
        if input.query.draft == true {
            try principal.requireAdmin(consultation.draft.municipalityId)
            guard input.query.version == nil else {
                throw Problem.validation([FieldError("version", "cannot be combined with draft=true, which shows the current draft")])
            }
            guard let inputs = try await store.memoInputs(consultation.id) else { throw Problem.notFound("consultation", consultation.id) }
            let rendered = try Self.renderMemo(inputs.memo(version: nil, now: store.clock.now()))
            let body = switch format {
            case .json: rendered.json
            case .markdown: rendered.markdown
            case .html: rendered.html
            case .csv: rendered.csv
            }
            return try Self.memoOutput(body, format: format)
        }
        guard let stored = try await store.memoVersion(consultation: consultation.id, version: input.query.version, format: format) else {
            throw Problem(status: 404, slug: "not-found", title: "Not found",
                          detail: input.query.version.map { "The hearing memo has no version \($0)." }
                            ?? "No hearing memo has been published for this consultation yet.")
        }
        if let retracted = stored.info.retractedAt {
            throw Problem(status: 410, slug: "memo-retracted", title: "Memo version retracted",
                          detail: "Version \(stored.info.version) of this hearing memo was retracted on \(UTCTimestamp.secondsText(retracted)): \(stored.info.retractionReason ?? "")")
        }
        return try Self.memoOutput(stored.body, format: format)
    }

    /// A memo version number is 1 to 1000, as the contract says (400 naming `version` otherwise).
    static func checkVersion(_ version: Int?) throws {
        guard let version, !(1...1000).contains(version) else { return }
        throw Problem.badRequest("version must be a whole number from 1 to 1000.", slug: "invalid-parameter",
                                 errors: [FieldError("version", "must be 1 to 1000")])
    }

    func listMemoVersions(_ input: Operations.ListMemoVersions.Input) async throws -> Operations.ListMemoVersions.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        let versions = try await store.memoVersions(consultation: consultation.id)
        return .ok(.init(body: .json(.init(data: versions.map { Self.api($0, consultation: consultation.id) }))))
    }

    func publishMemo(_ input: Operations.PublishMemo.Input) async throws -> Operations.PublishMemo.Output {
        let consultation = try await administeredConsultation(input.path.consultationId)
        let actor = try writeActor()
        let info = try await store.publishMemo(consultation: consultation.id, actor: actor, render: Self.renderMemo)
        return .created(.init(headers: .init(location: info.href(consultation: consultation.id)),
                              body: .json(Self.api(info, consultation: consultation.id))))
    }

    func retractMemoVersion(_ input: Operations.RetractMemoVersion.Input) async throws -> Operations.RetractMemoVersion.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try Self.checkVersion(input.path.version)
        let consultation = try await administeredConsultation(input.path.consultationId)
        let actor = try writeActor()
        let info = try await store.retractMemo(consultation: consultation.id, version: input.path.version, reason: body.reason, actor: actor)
        return .ok(.init(body: .json(Self.api(info, consultation: consultation.id))))
    }

    func consultationStatistics(_ input: Operations.ConsultationStatistics.Input) async throws -> Operations.ConsultationStatistics.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        let isAdmin = reader.administers(consultation.draft.municipalityId)
        guard let inputs = try await store.memoInputs(consultation.id) else { throw Problem.notFound("consultation", consultation.id) }
        let readable = isAdmin ? inputs.responses : try await store.readableResponses(consultation: consultation.id, reader: reader)
        var stats = ConsultationStatistics.build(consultationId: consultation.id, isAdmin: isAdmin, readable: readable,
                                                 showAnalysis: isAdmin, themes: inputs.themes, parties: inputs.parties)
        // Everyone else reads the analysis only as the published memo shows it, so its counts come from there.
        if !isAdmin, let stored = try await store.memoVersion(consultation: consultation.id, version: nil, format: .json),
           stored.info.retractedAt == nil {
            Self.countAnalysis(try Self.memoDecoder.decode(Components.Schemas.Memo.self, from: stored.body), into: &stats)
        }
        if input.query.format == .csv { return .ok(.init(body: .csv(HTTPBody(StatisticsCSV.render(stats))))) }
        func counts(_ list: [ConsultationStatistics.Count]) -> [Components.Schemas.CountByKey] {
            list.map { .init(key: $0.key, label: $0.label, count: $0.count) }
        }
        return .ok(.init(body: .json(.init(
            consultationId: stats.consultationId, scope: isAdmin ? .admin : ._public, responses: stats.responses,
            byRespondentKind: counts(stats.byRespondentKind), byAnswerType: counts(stats.byAnswerType),
            byTheme: stats.byTheme.map(counts), byAccommodated: stats.byAccommodated.map(counts), late: stats.late,
            withheld: stats.withheld, withdrawn: stats.withdrawn,
            parties: .init(invited: stats.partiesInvited, responded: stats.partiesResponded, noComments: stats.partiesNoComments)))))
    }

    func listRetention(_ input: Operations.ListRetention.Input) async throws -> Operations.ListRetention.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let id = input.path.municipalityId
        guard try await store.municipality(id) != nil else { throw Problem.notFound("municipality", id) }
        try principal.requireAdmin(id)
        let page = try await store.retention(municipality: id, erased: input.query.status.map { $0 == .erased }, request)
        let next = nextPage(page)
        let data: [Components.Schemas.RetentionEntry] = try page.items.map { e in
            .init(consultationId: e.consultationId, title: e.title, status: e.erasedAt == nil ? .pending : .erased,
                  retentionDays: e.retentionDays, countedFrom: try convert(e.countedFrom), dueAt: e.dueAt, erasedAt: e.erasedAt,
                  responses: e.responses)
        }
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: data, nextCursor: next.cursor))))
    }
}

extension APIHandlers {
    /// The analysis counts of a published memo: responses per theme section (then `unthemed`), and per
    /// `accommodated` value over the memo's responses (then `unanalysed`); parties that answered "no comments".
    static func countAnalysis(_ memo: Components.Schemas.Memo, into stats: inout ConsultationStatistics) {
        stats.byTheme = memo.sections.map { .init(key: $0.themeId ?? "unthemed", label: $0.themeId == nil ? nil : $0.title, count: $0.responses.count) }
        var seen: Set<String> = []
        let responses = memo.sections.flatMap(\.responses).filter { seen.insert($0.receiptNumber).inserted }
        stats.byAccommodated = Accommodated.allCases.map { value in
            .init(key: value.rawValue, count: responses.filter { $0.accommodated?.rawValue == value.rawValue }.count)
        } + [.init(key: "unanalysed", count: responses.filter { $0.accommodated == nil }.count)]
        stats.partiesNoComments = memo.parties.filter { $0.answer == .noComments }.count
    }
}

/// The statistics as CSV rows `dimension,key,label,count`, for spreadsheets.
enum StatisticsCSV {
    static func render(_ s: ConsultationStatistics) -> String {
        var rows: [[String]] = [["dimension", "key", "label", "count"], ["responses", "", "", String(s.responses)]]
        func add(_ dimension: String, _ list: [ConsultationStatistics.Count]?) {
            for count in list ?? [] { rows.append([dimension, count.key, count.label ?? "", String(count.count)]) }
        }
        add("respondent_kind", s.byRespondentKind)
        add("answer_type", s.byAnswerType)
        add("theme", s.byTheme)
        add("accommodated", s.byAccommodated)
        rows.append(["late", "", "", String(s.late)])
        if let withheld = s.withheld { rows.append(["withheld", "", "", String(withheld)]) }
        if let withdrawn = s.withdrawn { rows.append(["withdrawn", "", "", String(withdrawn)]) }
        rows += [["parties", "invited", "", String(s.partiesInvited)], ["parties", "responded", "", String(s.partiesResponded)],
                 ["parties", "no_comments", "", String(s.partiesNoComments)]]
        return "\u{FEFF}" + rows.map(CSV.line).joined()
    }
}

/// Renders a hearing memo in every stored format, as `POST …/memo/publish` does (for the demo data).
public func renderHearingMemo(_ memo: HearingMemo) throws -> RenderedMemo { try APIHandlers.renderMemo(memo) }
