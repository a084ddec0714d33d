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

/// libFuzzer target: the synthetic generator's place table (`PlaceTable.parse`, the
/// `CSVRecordReader` underneath).
exit(
    Fuzz.run { data in
        let text = String(decoding: data, as: UTF8.self)
        do {
            let places = try PlaceTable.parse(csv: text)
            for p in places {
                Fuzz.require((-180...180).contains(p.lon) && (-90...90).contains(p.lat), "a place out of range")
                Fuzz.require(p.population >= 0 && p.country.utf8.count == 2, "a place with a bad population or country")
                Fuzz.require(!p.name.isEmpty, "a place without a name")
            }
        } catch {
            // Parsed from a string, the table has no file name: the message must name the line.
            Fuzz.requireOwnError(error, SyntheticError.self, naming: "line ")
            Fuzz.require((error as? SyntheticError)?.line != nil, "no line in \(error)")
        }
    })
