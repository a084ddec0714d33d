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

/// libFuzzer target: the GeoPackage geometry blob header (`GeoPackageBinary.decode`): what it
/// decodes must encode and decode again to the same header fields and WKB.
exit(
    Fuzz.run { data in
        let blob: GeoPackageBinary
        do throws(GeoPackageBinary.DecodingError) { blob = try GeoPackageBinary.decode(Array(data)) } catch {
            Fuzz.require(!error.reason.isEmpty, "an empty reason")
            return
        }
        _ = GeoPackageBinary.curveTypeName(wkb: blob.wkb)
        let again: GeoPackageBinary
        do throws(GeoPackageBinary.DecodingError) { again = try GeoPackageBinary.decode(blob.encoded()) } catch {
            Fuzz.fail("fuzz property violated: a decoded blob does not decode after encoding: \(error.reason)")
        }
        func bits(_ e: Envelope?) -> [UInt64]? { e.map { [$0.minX, $0.minY, $0.maxX, $0.maxY].map(\.bitPattern) } }
        Fuzz.require(
            again.srsID == blob.srsID && again.isEmpty == blob.isEmpty && again.wkb == blob.wkb
                && bits(again.envelope) == bits(blob.envelope), "the round trip changed the blob")
    })
