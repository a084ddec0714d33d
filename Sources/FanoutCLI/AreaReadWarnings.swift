import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// Prints what reading an area lost (Z and M values, see ``DroppedOrdinates``) as one warning per
/// kind on standard error: `warning: FILE: Z values dropped from N vertices (...)`.
///
/// Every command that reads an area file calls it right after reading, and ends with exit status 1
/// (done with warnings) when it returns `true` and the command otherwise succeeds.
///
/// - Returns: Whether it printed a warning.
@discardableResult
func warnAboutReading(_ area: AreaGeometry) -> Bool { warnAboutReading(area.dropped, file: area.source) }

/// ``warnAboutReading(_:)`` for a command that got the count without the area (`area convert`).
@discardableResult
func warnAboutReading(_ dropped: DroppedOrdinates, file: String) -> Bool {
    let warnings = dropped.warnings(file: file)
    for w in warnings { note("warning: \(w)") }
    return !warnings.isEmpty
}
