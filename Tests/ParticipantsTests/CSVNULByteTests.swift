import Foundation
import TestSupport
import Testing

@testable import Participants
import Geo

/// A NUL byte anywhere in a participant CSV is refused with file, line, field and byte offset:
/// `Double("52\0.9")` is 52 (strtod stops at the NUL), so `52\0.9` used to be stored as 52.0.
@Suite struct CSVNULByteTests {
    @Test(arguments: [
        // (file, line, field, byte offset of the NUL)
        ("id,lon,lat\n1,5.1,52\u{0}.9\n", 2, 3, 19),
        ("id,lon,lat\n1,5.1,52.1\n2\u{0},5.1,52.1\n", 3, 1, 23),
        ("id,lon,lat,country\n1,5.1,52.1,\"N\nL\u{0}\"\n", 3, 4, 34),
        ("id,lon\u{0},lat\n1,5.1,52.1\n", 1, 2, 6),
    ] as [(String, Int, Int, Int)])
    func aNULByteIsRefusedWithLineFieldAndOffset(csv: String, line: Int, field: Int, offset: Int) throws {
        let s = try Scratch()
        let message = try s.failingImport(csv)
        #expect(message.contains("p.csv:\(line): field \(field) holds a NUL byte (0x00) at byte \(offset)"), "\(message)")
        #expect(try s.registry.count() == 0)
    }
}
