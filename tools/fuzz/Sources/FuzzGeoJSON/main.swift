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

/// libFuzzer target: GeoJSON action areas through `AreaReader` (as `fanout area check` reads them).
private let target = AreaTarget(fileName: "area.geojson")

exit(
    Fuzz.run { data in
        target.run(data)
    })
