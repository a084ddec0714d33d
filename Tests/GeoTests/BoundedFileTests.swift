import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

/// Files with a size limit are read no further than the limit: the limit itself is read whole,
/// one byte more is refused, and an endless file is refused instead of filling the memory.
@Suite struct BoundedFileTests {
    @Test func aFileIsReadUpToItsLimitAndRefusedOneBytePast() throws {
        let dir = try Fixtures.temporaryDirectory("bounded")
        let url = dir.appendingPathComponent("f")
        try Data(repeating: 0x41, count: 3000).write(to: url)
        #expect(try BoundedFile.read(url, limit: 3000) == Data(repeating: 0x41, count: 3000))
        #expect(throws: BoundedFile.Failure.self) { try BoundedFile.read(url, limit: 2999) }
        try Data().write(to: url)
        #expect(try BoundedFile.read(url, limit: 0).isEmpty)
        #expect(BoundedFile.describe(limit: 1 << 20) == "1,048,576 bytes")
    }

    @Test func anEndlessFileIsRefusedAfterTheLimit() throws {
        guard FileManager.default.fileExists(atPath: "/dev/zero") else { return }
        do {
            _ = try BoundedFile.read(URL(fileURLWithPath: "/dev/zero"), limit: 5 << 20)
            Issue.record("read /dev/zero")
        } catch {
            guard case .tooLarge(let limit) = error else { throw error }
            #expect(limit == 5 << 20)
        }
    }

    @Test func aMissingFileIsUnreadable() {
        do {
            _ = try BoundedFile.read(URL(fileURLWithPath: "/nonexistent/fanout-bounded"), limit: 10)
            Issue.record("read a missing file")
        } catch {
            guard case .unreadable = error else { Issue.record("\(error)"); return }
        }
    }
}
