import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// How far someone may have got since an incident, by incident type and travel mode: the table
/// behind `fanout area suggest` and the "larger than usual" warning of `fanout area check`.
///
/// Read from `data/travel-radius.csv` (columns `incident_type,mode,speed_kmh,cap_m`, `#` comment
/// lines) or any file of the same shape. The numbers are assumptions for the control room to
/// tune; `data/travel-radius.md` says where they come from.
public struct TravelRadiusTable: Sendable, Equatable {
    /// One row: a typical average speed and the largest radius worth suggesting.
    public struct Entry: Sendable, Equatable {
        /// Incident type, such as `missing-child`.
        public var incidentType: String
        /// Travel mode, such as `bicycle`.
        public var mode: String
        /// Assumed average speed in km/h.
        public var speedKmh: Double
        /// Largest suggested radius in metres.
        public var capMeters: Double
    }

    /// A suggested circle radius and how it was reached.
    public struct Suggestion: Sendable, Equatable {
        /// The table row used.
        public var entry: Entry
        /// Minutes since the incident.
        public var minutes: Double
        /// speed × time, in metres, before the cap.
        public var uncappedMeters: Double
        /// The suggested radius in metres (at most the cap).
        public var radiusMeters: Double
        /// Whether the cap applied.
        public var capped: Bool { uncappedMeters > entry.capMeters }
    }

    /// The table's file name in the data directory.
    public static let fileName = "travel-radius.csv"

    /// The rows, in file order.
    public var entries: [Entry]
    /// Where the table came from, for messages.
    public var source: String

    /// Creates a table from rows.
    public init(entries: [Entry], source: String) {
        self.entries = entries
        self.source = source
    }

    /// Largest table file read (1 MiB; the shipped one is a few kilobytes).
    public static let maxFileBytes = 1 << 20

    /// Loads the table from `url`, or from ``fileName`` in `data`; at most ``maxFileBytes`` are read.
    ///
    /// - Parameters:
    ///   - url: The table file; `nil` takes the one of `data`.
    ///   - data: The data directory (default: the package's own files).
    /// - Throws: ``AreaToolError`` `.travelTable` naming the file (and the directory searched when
    ///   it is missing there) and the line of the problem.
    public static func load(from url: URL? = nil, data: DataDirectory = .bundled) throws -> TravelRadiusTable {
        let file: URL
        if let url {
            file = url
        } else {
            do {
                file = try data.locate(
                    fileName, what: "the travel-radius table", code: .parse, made: "data/travel-radius.md describes it")
            } catch let e as GeoError {
                throw AreaToolError(.travelTable, e.message)
            }
        }
        let data: Data
        do {
            data = try BoundedFile.read(file, limit: maxFileBytes)
        } catch {
            switch error {
            case .tooLarge(let limit):
                throw AreaToolError(
                    .travelTable, "\(file.path): larger than \(BoundedFile.describe(limit: limit)); not a travel-radius table")
            case .unreadable(let cause):
                throw AreaToolError(
                    .travelTable, "\(file.path): cannot read the travel-radius table (\(cause.localizedDescription))")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AreaToolError(.travelTable, "\(file.path): the travel-radius table is not UTF-8 text")
        }
        return try parse(text, source: file.path)
    }

    /// Parses the CSV text of a table.
    ///
    /// - Throws: ``AreaToolError`` `.travelTable` naming the source and line of the first bad row.
    public static func parse(_ text: String, source: String) throws -> TravelRadiusTable {
        var entries: [Entry] = []
        var sawHeader = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // `Double("30\0.5")` reads 30: a NUL byte is refused, not cut off.
            if let column = raw.utf8.firstIndex(of: 0) {
                throw AreaToolError(
                    .travelTable,
                    "\(source):\(index + 1): column \(raw.utf8.distance(from: raw.utf8.startIndex, to: column) + 1) is a "
                        + "NUL byte (0x00); the table is text")
            }
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let at = "\(source):\(index + 1)"
            if !sawHeader {
                guard fields == ["incident_type", "mode", "speed_kmh", "cap_m"] else {
                    throw AreaToolError(.travelTable, "\(at): expected the header incident_type,mode,speed_kmh,cap_m")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 4 else {
                throw AreaToolError(.travelTable, "\(at): expected 4 fields, got \(fields.count)")
            }
            guard let speed = Double(fields[2]), speed.isFinite, speed > 0, speed <= 300 else {
                throw AreaToolError(.travelTable, "\(at): speed_kmh '\(fields[2])' must be a number in (0, 300]")
            }
            guard let cap = Double(fields[3]), cap.isFinite, cap > 0, cap <= CircleArea.maxRadiusMeters else {
                throw AreaToolError(
                    .travelTable,
                    "\(at): cap_m '\(fields[3])' must be a number in (0, \(Int(CircleArea.maxRadiusMeters))]")
            }
            let type = fields[0].lowercased()
            let mode = fields[1].lowercased()
            guard !type.isEmpty, !mode.isEmpty else {
                throw AreaToolError(.travelTable, "\(at): incident_type and mode must not be empty")
            }
            guard !entries.contains(where: { $0.incidentType == type && $0.mode == mode }) else {
                throw AreaToolError(.travelTable, "\(at): \(type) × \(mode) is given twice")
            }
            entries.append(Entry(incidentType: type, mode: mode, speedKmh: speed, capMeters: cap))
        }
        guard !entries.isEmpty else { throw AreaToolError(.travelTable, "\(source): the table has no rows") }
        return TravelRadiusTable(entries: entries, source: source)
    }

    /// The incident types, in file order.
    public var incidentTypes: [String] {
        var seen: [String] = []
        for e in entries where !seen.contains(e.incidentType) { seen.append(e.incidentType) }
        return seen
    }

    /// The modes given for an incident type, in file order.
    public func modes(for incidentType: String) -> [String] {
        entries.filter { $0.incidentType == incidentType.lowercased() }.map(\.mode)
    }

    /// The largest radius the table suggests for an incident type (the largest cap over its modes).
    ///
    /// - Throws: ``AreaToolError`` `.unknownIncidentType` listing the valid types.
    public func largestRadiusMeters(for incidentType: String) throws -> Double {
        let rows = entries.filter { $0.incidentType == incidentType.lowercased() }
        guard let cap = rows.map(\.capMeters).max() else { throw unknownType(incidentType) }
        return cap
    }

    /// The suggested radius for an incident type and mode, `minutes` after the incident.
    ///
    /// - Returns: speed × minutes, capped at the row's `cap_m`.
    /// - Throws: ``AreaToolError`` `.unknownIncidentType` or `.unknownMode` listing the valid
    ///   values; `.badArgument` unless 0 < minutes ≤ 1440.
    public func suggest(incidentType: String, mode: String, minutes: Double) throws -> Suggestion {
        guard minutes.isFinite, minutes > 0, minutes <= 1440 else {
            throw AreaToolError(.badArgument, "minutes \(minutes): must be more than 0 and at most 1440 (a day)")
        }
        let type = incidentType.lowercased()
        guard incidentTypes.contains(type) else { throw unknownType(incidentType) }
        guard let entry = entries.first(where: { $0.incidentType == type && $0.mode == mode.lowercased() }) else {
            throw AreaToolError(
                .unknownMode,
                "unknown travel mode '\(mode)' for \(type); valid modes: \(modes(for: type).joined(separator: ", "))"
                    + " (table \(source))")
        }
        let uncapped = entry.speedKmh * 1000 * minutes / 60
        return Suggestion(
            entry: entry, minutes: minutes, uncappedMeters: uncapped, radiusMeters: min(uncapped, entry.capMeters))
    }

    private func unknownType(_ type: String) -> AreaToolError {
        AreaToolError(
            .unknownIncidentType,
            "unknown incident type '\(type)'; valid types: \(incidentTypes.joined(separator: ", ")) (table \(source))")
    }
}
