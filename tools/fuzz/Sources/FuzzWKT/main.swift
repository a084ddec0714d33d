import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import FuzzSupport
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// libFuzzer target: WKT action areas through `AreaReader` (GEOS's WKT reader underneath).
private let target = AreaTarget(fileName: "area.wkt")

exit(
    Fuzz.run { data in
        target.run(data)
    })
