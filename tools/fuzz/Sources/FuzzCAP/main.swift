import FanOut
import FanoutAreaTools
import FanoutEngine
import Foundation
import FuzzSupport
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// libFuzzer target: OASIS CAP alerts, parsed directly (every area's invariants checked) and
/// through `AreaReader` as `select --polygon` reads them.
private let target = AreaTarget(fileName: "alert.cap")

exit(
    Fuzz.run { data in
        do {
            let alert = try CAPReader.parse(data, name: "fuzz.cap")
            Fuzz.require(alert.version == "1.2" || alert.version == "1.1", "version \(alert.version)")
            for area in alert.areas {
                for ring in area.polygons {
                    Fuzz.require(ring.count >= 4 && ring.first == ring.last, "\(area.place): an open or short ring")
                    Fuzz.require(
                        ring.allSatisfy { (-180...180).contains($0.x) && (-90...90).contains($0.y) },
                        "\(area.place): a vertex out of range")
                }
                for circle in area.circles {
                    Fuzz.require(circle.center.isInRange, "\(area.place): a circle centre out of range")
                    Fuzz.require(circle.radiusKm.isFinite && circle.radiusKm >= 0, "\(area.place): radius")
                }
            }
        } catch {
            Fuzz.requireOwnError(error, GeoError.self, naming: "fuzz.cap")
        }
        target.run(data)
    })
