import Foundation

// MARK: - Checking the grid file before PROJ opens it

extension RDCorrectionGrid {
    /// The size of one NTv2 record (an 8-byte name and an 8-byte value) and of one grid node.
    private static let recordBytes = 16
    /// The overview header (11 records) plus the one sub-grid's header (11 records).
    private static let headerBytes = 22 * recordBytes

    /// Checks that `file` is a whole NTv2 grid over the RDNAPTRANS2018 area: headers, extent and
    /// the size its node count implies.
    ///
    /// PROJ opens a truncated grid without complaint and then fails to shift the points whose
    /// nodes are missing, which would send them to the datum transformation (errors up to 0.25 m)
    /// as if they were outside the grid; so a damaged file is refused here, when it is opened.
    /// Corrupted node values of a file of the right size are not detected (compare its SHA-256
    /// with `data/LICENSES.md`, as `fanout version` prints it).
    ///
    /// - Parameter file: The grid file.
    /// - Throws: ``GeoError`` `.correctionGrid` naming the file and what is wrong.
    /// - Complexity: O(1): reads the 352 header bytes and the file's size.
    package static func checkFile(_ file: URL) throws {
        func damaged(_ problem: String) -> GeoError {
            GeoError(
                .correctionGrid,
                "\(file.path): not a whole RDNAPTRANS2018 correction grid (\(problem)); replace it with the "
                    + "package's data/\(fileName) (tools/make_rd_grid.py makes it)")
        }
        let header: Data
        let size: Int
        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            header = try handle.read(upToCount: headerBytes) ?? Data()
            size = Int(try handle.seekToEnd())
        } catch {
            throw GeoError(
                .correctionGrid, "\(file.path): cannot read the correction grid: \(error.localizedDescription)")
        }
        guard header.count == headerBytes else {
            throw damaged("\(size) bytes, shorter than the NTv2 headers (\(headerBytes) bytes)")
        }
        let bytes = [UInt8](header)
        func name(_ record: Int) -> String {
            String(decoding: bytes[record * recordBytes..<record * recordBytes + 8], as: UTF8.self)
                .trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\0")))
        }
        func int(_ record: Int) -> Int {  // little-endian int32 after the name
            let at = record * recordBytes + 8
            return Int(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }))
        }
        func double(_ record: Int) -> Double {  // little-endian float64 after the name
            let at = record * recordBytes + 8
            return Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) })
        }
        let expectedNames = [
            "NUM_OREC", "NUM_SREC", "NUM_FILE", "GS_TYPE", "VERSION", "SYSTEM_F", "SYSTEM_T", "MAJOR_F", "MINOR_F",
            "MAJOR_T", "MINOR_T", "SUB_NAME", "PARENT", "CREATED", "UPDATED", "S_LAT", "N_LAT", "E_LONG", "W_LONG",
            "LAT_INC", "LONG_INC", "GS_COUNT",
        ]
        for (record, expected) in expectedNames.enumerated() where name(record) != expected {
            throw damaged("header record \(record + 1) is '\(name(record))', not \(expected)")
        }
        guard int(0) == 11, int(2) == 1 else { throw damaged("not one sub-grid with 11-record headers") }
        // NTv2 gives seconds of arc, longitudes positive west.
        let (south, north, east, west) = (double(15) / 3600, double(16) / 3600, -double(17) / 3600, -double(18) / 3600)
        guard south == Self.south, north == Self.north, west == Self.west, east == Self.east else {
            throw damaged("it covers \(south)…\(north)° N, \(west)…\(east)° E, not 50…56° N, 2…8° E")
        }
        let (latStep, lonStep) = (double(19), double(20))
        guard latStep > 0, lonStep > 0 else { throw damaged("grid steps \(latStep)″ and \(lonStep)″") }
        let rows = Int((((north - south) * 3600) / latStep).rounded()) + 1
        let columns = Int((((east - west) * 3600) / lonStep).rounded()) + 1
        guard int(21) == rows * columns else {
            throw damaged("GS_COUNT \(int(21)), but \(rows) × \(columns) nodes")
        }
        let expectedSize = headerBytes + rows * columns * recordBytes + recordBytes  // nodes, then END
        guard size == expectedSize else { throw damaged("\(size) bytes, expected \(expectedSize)") }
    }
}
