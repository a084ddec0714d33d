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

// The reference query set is the library's `ReferenceQuery` (FanoutEngine), the same one
// `fanout loadtest` runs.

extension ReferenceQuery {
    /// A file-name-safe form of the name, prefixed with its position in ``all`` so that a
    /// directory listing is in reference order ("01-amsterdam-dam-1-km").
    var slug: String {
        let position = (Self.all.firstIndex { $0.name == name } ?? 98) + 1
        let safe = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return (position < 10 ? "0" : "") + "\(position)-" + safe
    }
}

/// Which implementation a query benchmark measures.
enum Selector: String, Sendable, CaseIterable {
    /// `Engine.select`: the engine's own index (a packed uniform grid since b2578d8).
    case engine
    /// `Engine.selectWithSTRtree`: a GEOS STRtree over the same participants (comparison peer).
    case strtree
    /// `Engine.selectByBruteForce`: a scan over every participant (the test oracle).
    case bruteForce = "brute-force"

    /// The benchmark name prefix.
    var label: String {
        switch self {
        case .engine: "engine"
        case .strtree: "STRtree"
        case .bruteForce: "brute-force"
        }
    }

    /// The benchmark name for `query`, e.g. "brute-force:Amsterdam-Dam-1-km".
    ///
    /// No spaces: package-benchmark 1.38.1 writes static thresholds to a file name with spaces
    /// replaced by `_` but looks them up by the name as is, so a name with spaces never finds its
    /// thresholds (ordo-one/benchmark issue #301).
    func benchmarkName(_ query: ReferenceQuery) -> String {
        "\(label):" + query.name.replacingOccurrences(of: " ", with: "-")
    }

    /// Runs `request` with this selector.
    func select(_ request: SelectionRequest, on engine: Engine) throws -> SelectionResult {
        switch self {
        case .engine: try engine.select(request)
        case .strtree: try engine.selectWithSTRtree(request)
        case .bruteForce: try engine.selectByBruteForce(request)
        }
    }
}
