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

/// libFuzzer target: WKT action areas through `AreaReader` (GEOS's WKT reader underneath).
private let target = AreaTarget(fileName: "area.wkt")

exit(
    Fuzz.run { data in
        target.run(data)
    })
