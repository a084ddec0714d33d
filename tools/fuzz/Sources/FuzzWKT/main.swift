import Foundation
import FuzzSupport

/// libFuzzer target: WKT action areas through `AreaReader` (GEOS's WKT reader underneath).
private let target = AreaTarget(fileName: "area.wkt")

exit(
    Fuzz.run { data in
        target.run(data)
    })
