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

/// libFuzzer target: GeoPackage action areas (a SQLite file) through `AreaReader`, as
/// `fanout area check` and `select --polygon` read them: SQLite on a damaged file, the
/// GeoPackage tables, the geometry blob and GEOS's WKB reader.
private let target = AreaTarget(fileName: "area.gpkg")

exit(
    Fuzz.run { data in
        target.run(data)
    })
