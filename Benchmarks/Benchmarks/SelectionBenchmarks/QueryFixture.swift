import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// The state of one query benchmark in its process.
///
/// `setup` (which may run on another thread) only loads the participant columns, which are
/// `Sendable` values. The `Engine` owns GEOS and PROJ contexts for the thread that made it, so
/// it is built lazily on the thread that runs the iterations, outside the measured region, by
/// the first call to ``prepared()``. That call also runs the query once untimed (for the
/// STRtree peer this builds the tree, a one-time cost measured by "strtree-build-1.6M") and
/// records the result count in the cache directory for the results table.
final class QueryFixture {
    let query: ReferenceQuery
    let selector: Selector
    private let columns: ParticipantColumns
    private var state: (engine: Engine, request: SelectionRequest, count: Int)?

    init(query: ReferenceQuery, selector: Selector, columns: ParticipantColumns) {
        self.query = query
        self.selector = selector
        self.columns = columns
    }

    /// The engine, the request and the expected result count, built on first use.
    func prepared() throws -> (engine: Engine, request: SelectionRequest, count: Int) {
        if let state { return state }
        let engine = try Engine(columns: columns)
        let request = try query.request(on: engine)
        let result = try selector.select(request, on: engine)
        try record(result)
        let made = (engine: engine, request: request, count: result.participants.count)
        state = made
        return made
    }

    /// Writes `counts/<query>.<selector>.tsv`: name, selector, count, area in km², per-country counts.
    private func record(_ result: SelectionResult) throws {
        let countries = result.countsByCountry.map { "\($0.country) \($0.count)" }.joined(separator: ", ")
        let line = [
            query.name, selector.rawValue, String(result.participants.count),
            DecimalFormat.string(result.areaSquareMeters / 1e6, decimals: 2), countries,
        ].joined(separator: "\t")
        let url = try BenchmarkData.countsDirectory.appendingPathComponent("\(query.slug).\(selector.rawValue).tsv")
        try Data((line + "\n").utf8).write(to: url, options: .atomic)
        BenchmarkData.note("\(selector.benchmarkName(query)): \(result.participants.count) participants (\(countries))")
    }
}
