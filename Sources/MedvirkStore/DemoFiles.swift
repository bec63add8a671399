import Crypto
import Foundation
import MedvirkCore

/// Small real files for the demo: one-page PDFs with a title and a few lines, and a plain-text party list.
enum DemoFiles {
    /// A one-page PDF 1.4 (ISO 32000-1) in Helvetica; text outside Latin-1 is not needed by the demo.
    static func pdf(_ title: String, _ lines: [String]) -> Data {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
        }
        var stream = "BT /F1 18 Tf 72 770 Td (\(escaped(title))) Tj ET\n"
        for (i, line) in lines.enumerated() { stream += "BT /F1 11 Tf 72 \(740 - 16 * i) Td (\(escaped(line))) Tj ET\n" }
        let body = Array(stream.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        let objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
            Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".utf8),
            Array("<< /Length \(body.count) >>\nstream\n".utf8) + body + Array("endstream".utf8),
            Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8),
        ]
        var out = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(i + 1) 0 obj\n".utf8) + object + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets { out += Array(String(format: "%010d 00000 n \n", offset).utf8) }
        out += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return Data(out)
    }
}

extension Store {
    /// Stores `bytes` as an unattached file, chunk by chunk as an upload would (the demo and the benchmarks'
    /// seeding; uploads over HTTP go through the server's `UploadReceiver`, which also decides the type).
    public func storeFile(_ bytes: Data, _ file: NewFile, actor: WriteActor) async throws -> StoredFile {
        let content = try await beginFileContent()
        do {
            var seq = 0
            for start in stride(from: 0, to: bytes.count, by: Self.fileChunkBytes) {
                try await appendFileChunk(content, seq: seq, bytes.subdata(in: start..<min(bytes.count, start + Self.fileChunkBytes)))
                seq += 1
            }
            return try await finishFileUpload(content: content, size: Int64(bytes.count), sha256: Hex.string(SHA256.hash(data: bytes)),
                                              file, actor: actor)
        } catch {
            try? await discardFileContent(content)
            throw error
        }
    }
}
