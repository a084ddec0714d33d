import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

private func f(_ v: Double, _ d: Int) -> String { DecimalFormat.string(v, decimals: d) }

/// A position as the file writes it (CAP: lat,lon), then in lon/lat and RD New.
private func place(_ p: AreaCheckReport.Position, _ notation: CoordinateNotation) -> String {
    var s = notation.written(XY(p.x, p.y))
    if let lon = p.lon, let lat = p.lat { s += " (lon/lat \(f(lon, 7)),\(f(lat, 7))" } else { s += " (" }
    if let x = p.rdX, let y = p.rdY { s += "; RD \(f(x, 2)),\(f(y, 2))" }
    s += ")"
    return s.replacingOccurrences(of: " ()", with: "")
}

extension AreaCheckReport {
    func humanText() -> String {
        var out =
            "\(source) (\(crs)): \(verdict == .valid ? "valid" : verdict == .warnings ? "valid, with warnings" : "INVALID")\n"
        if validity.valid {
            out += "  validity: valid (GEOS, OGC rules)\n"
        } else {
            out += "  validity: INVALID: \(validity.reason ?? "unknown reason")"
            if let at = validity.location { out += " at \(place(at, notation))" }
            out += "\n"
        }
        for finding in findings {
            var where_ = ""
            if let p = finding.polygon { where_ += "polygon \(p)" }
            if let r = finding.ring { where_ += (where_.isEmpty ? "" : ", ") + "ring \(r)" }
            if let at = finding.at { where_ += (where_.isEmpty ? "" : ", ") + "at \(place(at, notation))" }
            out +=
                "  \(finding.severity.rawValue): \(finding.code): \(finding.message)"
                + (where_.isEmpty ? "" : " [\(where_)]") + "\n"
        }
        if let m = measures {
            out += "  area: \(f(m.areaKm2, 3)) km² (RD New); perimeter: \(f(m.perimeterKm, 3)) km\n"
            out +=
                "  vertices: \(m.vertices) in \(m.polygons) polygon\(m.polygons == 1 ? "" : "s"), \(m.holes) hole\(m.holes == 1 ? "" : "s")\n"
            let b = m.bboxLonLat
            out += "  bbox lon/lat: \(f(b.minLon, 6)),\(f(b.minLat, 6)) … \(f(b.maxLon, 6)),\(f(b.maxLat, 6))\n"
            let r = m.bboxRd
            out += "  bbox RD New: \(f(r.minX, 1)),\(f(r.minY, 1)) … \(f(r.maxX, 1)),\(f(r.maxY, 1))\n"
        }
        if let countries { out += "  countries: \(countries.isEmpty ? "none" : countries.joined(separator: ", "))\n" }
        if let municipalities {
            let abroad = abroad ?? []
            let none = municipalities.isEmpty && abroad.isEmpty
            out += "  municipalities: \(none ? "none (no Dutch municipal land)" : "share of the area")\n"
            let width =
                (municipalities.map { $0.name.count + $0.code.count + 3 } + abroad.map { $0.country.count + 8 }).max()
                ?? 0
            func row(_ label: String, _ share: Double) -> String {
                let pad = String(repeating: " ", count: max(width - label.count, 0))
                return "    \(label)\(pad) \(f(share * 100, 1).leftPadded(to: 5))%\n"
            }
            for m in municipalities { out += row("\(m.name) (\(m.code))", m.share) }
            for a in abroad { out += row("abroad, \(a.country)", a.share).dropLast() + " (\(a.source))\n" }
            let rest = 1 - municipalities.reduce(0) { $0 + $1.share } - abroad.reduce(0) { $0 + $1.share }
            if !none, rest >= 0.0005 {
                out += row("elsewhere", rest).dropLast() + " (water, or outside the Netherlands)\n"
            }
            out += "    boundaries: \(municipalityBoundaries)\n"
        } else {
            out += "  municipalities: \(municipalityBoundaries)\n"
        }
        if let p = participants {
            let per = p.byCountry.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out += "  participants inside: \(p.total)\(per.isEmpty ? "" : " (\(per))")\n"
            out += "  last one reached after about \(f(p.secondsToLast, 1)) s, assuming \(p.assumption)\n"
            for e in p.byChannel { out += "    \(e.channel) only (\(e.rate)): \(f(e.seconds, 1)) s\n" }
            if let n = p.nearestOutside {
                out += "  nearest participant outside: \(f(n.distanceM, 0)) m from the area, \(n.direction) (\(n.country))\n"
            }
        }
        return out
    }
}

extension AreaFixer.Report {
    func humanText(out: String?) -> String {
        var s = "MakeValid (\(method)):\n"
        s +=
            "  before: \(validBefore ? "valid" : "invalid (\(reasonBefore ?? "?"))"), \(partsBefore) part\(partsBefore == 1 ? "" : "s")"
        if let a = areaBeforeKm2 { s += ", \(f(a, 6)) km² (RD New)" }
        s += "\n  after:  \(validAfter ? "valid" : "INVALID"), \(partsAfter) part\(partsAfter == 1 ? "" : "s")"
        if let a = areaAfterKm2 { s += ", \(f(a, 6)) km² (RD New)" }
        s += "\n"
        if areaBeforeKm2 == nil { s += "  area in source units²: \(areaBeforeSource) → \(areaAfterSource)\n" }
        if !validBefore { s += "  (the area GEOS computes for invalid input is not meaningful: a bowtie gives 0)\n" }
        if !dropped.isEmpty { s += "  dropped non-polygonal parts: \(dropped.joined(separator: ", "))\n" }
        s += out.map { "  written: \($0)\n" } ?? "  nothing polygonal is left: no file written\n"
        return s
    }
}

extension TravelRadiusTable.Suggestion {
    var summary: String {
        let e = entry
        var s =
            "\(e.incidentType), \(e.mode), \(DecimalFormat.string(minutes, decimals: minutes.rounded() == minutes ? 0 : 1)) min: "
        s +=
            "radius \(Int(radiusMeters.rounded())) m (\(f(e.speedKmh, 1)) km/h × \(f(minutes, 1)) min = \(Int(uncappedMeters.rounded())) m"
        s += capped ? ", capped at \(Int(e.capMeters)) m)" : "; cap \(Int(e.capMeters)) m)"
        return s
    }
}

extension String {
    /// The string with spaces in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(width - count, 0)) + self
    }
}
