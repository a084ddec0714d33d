import Foundation
import FuzzSupport

/// libFuzzer target: GeoJSON action areas through `AreaReader` (as `fanout area check` reads them).
private let target = AreaTarget(fileName: "area.geojson")

exit(
    Fuzz.run { data in
        target.run(data)
    })
