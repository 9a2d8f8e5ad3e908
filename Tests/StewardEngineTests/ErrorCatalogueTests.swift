import Foundation
import StewardAPI
import StewardEngine
import Testing

/// docs/errors.md is the catalogue clients code against: every code the
/// engine has is there, and a refusal's row says the HTTP status it is sent with.
@Suite("Error catalogue")
struct ErrorCatalogueTests {
    @Test func everyCodeIsDocumentedWithItsStatus() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/errors.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A row counts only inside a table: the line before it is a row, the header or the separator.
        let rows = lines.indices.filter { i in lines[i].hasPrefix("| ") && i > 0 && lines[i - 1].hasPrefix("|") }.map { lines[$0] }
        for code in ErrorCode.allCases where code != .success {
            let row = rows.first { $0.hasPrefix("| \(code.rawValue) |") }
            #expect(row != nil, "\(code) (\(code.rawValue)) is not in docs/errors.md")
            // Command outcomes (14xxx) travel in a 200 progress document: their table has no status column.
            if code.httpStatus != 200 {
                #expect(row?.contains("| \(code.httpStatus) |") == true, "\(code.rawValue): \(row ?? "") should say \(code.httpStatus)")
            }
        }
    }
}
