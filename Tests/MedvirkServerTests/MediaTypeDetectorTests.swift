import Foundation
@testable import MedvirkServer
import Testing

/// Small real files of each kind, built here, and what libmagic makes of them.
enum SampleFiles {
    static let pdf = Data("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)
    /// An 1×1 PNG.
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
    /// The start of a JFIF JPEG.
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                            0xFF, 0xDB, 0x00, 0x43, 0x00] + Array(repeating: UInt8(1), count: 64) + [0xFF, 0xD9])
    static let text = Data("Høringssvar fra Ældrerådet: vi støtter forslaget.\n".utf8)
    static let html = Data("<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n".utf8)
    static let svg = Data("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"><script>alert(1)</script></svg>\n".utf8)
    static let latin1 = Data([0x48, 0xF8, 0x72, 0x69, 0x6E, 0x67, 0x0A])  // "Høring" in ISO 8859-1

    /// A ZIP of stored (uncompressed) entries, as office packages are laid out.
    static func zip(_ entries: [(String, String)]) -> Data {
        var data = Data()
        func le16(_ v: Int) { data.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)]) }
        func le32(_ v: Int) { le16(v & 0xFFFF); le16(v >> 16 & 0xFFFF) }
        for (name, content) in entries {
            le32(0x04034B50); le16(20); le16(0); le16(0); le16(0); le16(0)
            le32(0); le32(content.utf8.count); le32(content.utf8.count); le16(name.utf8.count); le16(0)
            data.append(contentsOf: name.utf8); data.append(contentsOf: content.utf8)
        }
        return data
    }

    static let docx = zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("word/document.xml", "<w:document/>")])
    static let xlsx = zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("xl/workbook.xml", "<workbook/>")])
    static let odt = zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office:document-content/>")])
    static let ods = zip([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<office:document-content/>")])
    static let plainZip = zip([("notes.txt", "hello"), ("other.txt", "world")])
}

@Suite struct MediaTypeDetectorTests {
    let detector = try! MediaTypeDetector()

    @Test(arguments: [
        (SampleFiles.pdf, AcceptedFileType.pdf), (SampleFiles.png, .png), (SampleFiles.jpeg, .jpeg), (SampleFiles.text, .text),
        (SampleFiles.docx, .docx), (SampleFiles.xlsx, .xlsx), (SampleFiles.odt, .odt), (SampleFiles.ods, .ods),
    ])
    func eachAcceptedTypeIsRecognisedByItsContent(file: Data, type: AcceptedFileType) {
        #expect(detector.acceptedType(of: file) == type, "libmagic said \(detector.mediaType(of: file) ?? "nothing")")
    }

    @Test(arguments: [SampleFiles.html, SampleFiles.svg, SampleFiles.plainZip, SampleFiles.latin1, Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: UInt8(0), count: 56))])
    func everythingElseIsRefused(file: Data) {
        #expect(detector.acceptedType(of: file) == nil, "libmagic said \(detector.mediaType(of: file) ?? "nothing")")
    }

    @Test func aCharacterCutAtTheSampleEndIsStillText() {
        let long = Data(String(repeating: "æ", count: MediaTypeDetector.sampleBytes).utf8)  // two bytes each: cut mid-character
        #expect(detector.acceptedType(of: long) == .text)
    }
}

@Suite struct ContentCheckTests {
    static let docm = SampleFiles.zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"),
                                       ("word/document.xml", "<w:document/>"), ("word/vbaProject.bin", "\u{1}macro")])
    static let encryptedPDF = Data("""
        %PDF-1.6
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        trailer << /Root 1 0 R /Encrypt 5 0 R /ID [<01><01>] >>
        %%EOF

        """.utf8)

    /// Runs the check over `file` cut into chunks of `size` bytes.
    func check(_ file: Data, as type: AcceptedFileType, chunk size: Int) -> ContentCheck.Finding? {
        var check = ContentCheck(for: type)
        var offset = 0
        while offset < file.count {
            check.scan(file.subdata(in: offset..<min(file.count, offset + size)))
            offset += size
        }
        return check.finding
    }

    @Test(arguments: [1, 3, 7, 64, 1 << 20])
    func macrosAndEncryptionAreFoundWhereverTheChunksAreCut(size: Int) {
        #expect(check(Self.docm, as: .docx, chunk: size) == .macros)
        #expect(check(Self.encryptedPDF, as: .pdf, chunk: size) == .encrypted)
        #expect(check(SampleFiles.docx, as: .docx, chunk: size) == nil)
        #expect(check(SampleFiles.pdf, as: .pdf, chunk: size) == nil)
    }

    @Test func libmagicStillCallsAMacroPackageAWordDocument() throws {
        // Which is why the check of our own is needed.
        #expect(try MediaTypeDetector().acceptedType(of: Self.docm) == .docx)
    }
}
