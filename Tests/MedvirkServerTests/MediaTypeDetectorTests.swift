import CompressNIO
import Foundation
@testable import MedvirkServer
import NIOCore
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

    /// A ZIP with a central directory (APPNOTE.TXT), as office packages are laid out; entries named in
    /// `deflated` are compressed (raw deflate), the others stored. CRCs are left 0 (nothing here checks them).
    static func zip(_ entries: [(String, String)], deflated: Set<String> = [], damage: Set<String> = []) -> Data {
        var data = Data(), directory = Data()
        func le16(_ v: Int, _ into: inout Data) { into.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)]) }
        func le32(_ v: Int, _ into: inout Data) { le16(v & 0xFFFF, &into); le16(v >> 16 & 0xFFFF, &into) }
        for (name, content) in entries {
            var body = Data(content.utf8)
            let method = deflated.contains(name) ? 8 : 0
            if method == 8 {
                var buffer = ByteBuffer(bytes: body)
                body = Data(buffer: try! buffer.compress(with: .deflate()))
            }
            if damage.contains(name) { body = Data(repeating: 0xFF, count: body.count) }
            let offset = data.count
            le32(0x04034B50, &data); le16(20, &data); le16(0, &data); le16(method, &data); le16(0, &data); le16(0, &data)
            le32(0, &data); le32(body.count, &data); le32(content.utf8.count, &data); le16(name.utf8.count, &data); le16(0, &data)
            data.append(contentsOf: name.utf8); data.append(body)
            le32(0x02014B50, &directory); le16(20, &directory); le16(20, &directory); le16(0, &directory); le16(method, &directory)
            le16(0, &directory); le16(0, &directory); le32(0, &directory); le32(body.count, &directory); le32(content.utf8.count, &directory)
            le16(name.utf8.count, &directory); le16(0, &directory); le16(0, &directory); le16(0, &directory); le16(0, &directory)
            le32(0, &directory); le32(offset, &directory); directory.append(contentsOf: name.utf8)
        }
        let directoryOffset = data.count
        data.append(directory)
        le32(0x06054B50, &data); le16(0, &data); le16(0, &data); le16(entries.count, &data); le16(entries.count, &data)
        le32(directory.count, &data); le32(directoryOffset, &data); le16(0, &data)
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
        // The same name spelled with #hh escapes (ISO 32000-1 §7.3.5).
        let escaped = Data(String(decoding: Self.encryptedPDF, as: UTF8.self).replacingOccurrences(of: "/Encrypt", with: "/#45ncr#79pt").utf8)
        #expect(check(escaped, as: .pdf, chunk: size) == .encrypted)
        #expect(check(SampleFiles.docx, as: .docx, chunk: size) == nil)
        #expect(check(SampleFiles.pdf, as: .pdf, chunk: size) == nil)
    }

    @Test func libmagicStillCallsAMacroPackageAWordDocument() throws {
        // Which is why the check of our own is needed.
        #expect(try MediaTypeDetector().acceptedType(of: Self.docm) == .docx)
    }
}
