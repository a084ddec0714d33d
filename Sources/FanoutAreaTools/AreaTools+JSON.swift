import FanOut
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// The `--json` forms of the area tools' reports (docs/schemas/area-*.schema.json): keys
// snake_case and spelled out, distances in metres (`…_m`).

extension AreaConverter.Report: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(input, forKey: "input")
        try c.encode(output, forKey: "output")
        try c.encode(format.rawValue, forKey: "format")
        try c.encode(crs?.description, forKey: "crs")
        try c.encode(polygons, forKey: "polygons")
        try c.encode(circles, forKey: "circles")
        try c.encode(holes, forKey: "holes")
        try c.encode(vertices, forKey: "vertices")
        try c.encode(bytes, forKey: "bytes")
        try c.encode(notes, forKey: "notes")
    }
}

extension AreaMap: Encodable {
    /// The map's figures (not its geometry): area, incident point, participants inside.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(title, forKey: "title")
        try c.encode(areaKm2, forKey: "area_km2")
        var point = c.nestedContainer(keyedBy: JSONKey.self, forKey: "incident")
        try point.encode(incident.point.x, forKey: "rd_x")
        try point.encode(incident.point.y, forKey: "rd_y")
        try point.encode(incident.source, forKey: "source")
        try point.encode(incidentOutsideMeters, forKey: "outside_m")
        if let density {
            var d = c.nestedContainer(keyedBy: JSONKey.self, forKey: "participants")
            try d.encode(density.total, forKey: "total")
            try d.encode(density.cellMeters, forKey: "cell_m")
            try d.encode(density.cells.count, forKey: "cells")
            var per = d.nestedContainer(keyedBy: JSONKey.self, forKey: "by_country")
            for (country, count) in density.byCountry { try per.encode(count, forKey: JSONKey(country)) }
        } else {
            try c.encodeNil(forKey: "participants")
        }
        try c.encode(municipalities.map(\.code).sorted(), forKey: "municipalities")
        try c.encode(trueNorthDegrees, forKey: "true_north_degrees")
        try c.encode(problems, forKey: "problems")
    }
}

extension TravelRadiusTable.Suggestion: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(entry.incidentType, forKey: "incident_type")
        try c.encode(entry.mode, forKey: "mode")
        try c.encode(entry.speedKmh, forKey: "speed_kmh")
        try c.encode(entry.capMeters, forKey: "cap_m")
        try c.encode(minutes, forKey: "minutes")
        try c.encode(uncappedMeters, forKey: "uncapped_m")
        try c.encode(radiusMeters, forKey: "radius_m")
        try c.encode(capped, forKey: "capped")
    }
}
