import Foundation
import Geo
import Logging

/// A file the service hands out as it is: its bytes and content type.
struct StaticFile: Sendable {
    /// The bytes.
    let bytes: [UInt8]
    /// The `Content-Type`.
    let contentType: String

    /// The content type of a file name's extension.
    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "json", "geojson": "application/json"
        default: "application/octet-stream"
        }
    }
}

/// What the dispatcher's map page at `/` needs, read once at startup: the page's own files (the
/// module's `Resources/map`), Leaflet from Debian's `libjs-leaflet`, and the vector layers.
///
/// Leaflet is not shipped with fanout: it is read from ``debianLeaflet`` (or the directory given).
/// Without it the service still runs its API, logs an error once, and `/` answers 503 with a page
/// that says which package to install.
struct MapAssets: Sendable {
    /// Where Debian's `libjs-leaflet` puts Leaflet.
    static let debianLeaflet = URL(fileURLWithPath: "/usr/share/javascript/leaflet")
    /// The Leaflet files the page uses, relative to the Leaflet directory.
    static let leafletFiles = [
        "leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png", "images/marker-icon.png",
        "images/marker-icon-2x.png", "images/marker-shadow.png",
    ]
    /// The page's files, in the module's `Resources/map`.
    static let pageFiles = ["index.html", "app.js", "live.js", "draw.js", "map.css"]

    /// The page's files by name (`index.html`, `app.js`, …).
    let page: [String: StaticFile]
    /// Leaflet's files by path (`leaflet.js`, `images/marker-icon.png`), or why they are missing.
    let leaflet: Result<[String: StaticFile], LeafletMissing>
    /// The vector layers by name (`borders`, `municipalities`).
    let layers: [String: MapLayer]

    /// Leaflet could not be read: the message for the log and the 503 page.
    struct LeafletMissing: Error, Sendable {
        let message: String
    }

    /// Reads the page, Leaflet and the layers.
    ///
    /// - Parameters:
    ///   - data: The data directory holding the borders and municipalities files.
    ///   - leafletDirectory: Where Leaflet is (default ``debianLeaflet``).
    /// - Throws: ``ServeError`` `.config` when the page's resources are missing (a broken
    ///   installation) or a layer file cannot be used. A missing Leaflet is no error: it is logged
    ///   and kept in ``leaflet``.
    static func load(data: DataDirectory, leafletDirectory: URL = debianLeaflet, logger: Logger) throws -> MapAssets {
        var page: [String: StaticFile] = [:]
        for name in pageFiles {
            let base = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Resources/map"),
                let bytes = try? Data(contentsOf: url)
            else { throw ServeError(.config, "the map page is missing from the installation (Resources/map/\(name))") }
            page[name] = StaticFile(bytes: Array(bytes), contentType: StaticFile.contentType(of: name))
        }
        let leaflet = readLeaflet(leafletDirectory)
        if case .failure(let missing) = leaflet { logger.error("map page unavailable", metadata: ["reason": "\(missing.message)"]) }
        let converter = { try CoordinateConverter(data: data) }
        let layers = [
            try MapLayer.load(
                name: "borders", fileName: CountryBorders.fileName, data: data, keep: ["country"], converter: converter),
            try MapLayer.load(
                name: "municipalities", fileName: Municipalities.fileName, data: data, keep: ["code", "name"],
                converter: converter),
        ]
        return MapAssets(page: page, leaflet: leaflet, layers: Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) }))
    }

    /// Leaflet's files from `directory`, or what is missing.
    static func readLeaflet(_ directory: URL) -> Result<[String: StaticFile], LeafletMissing> {
        var files: [String: StaticFile] = [:]
        for path in leafletFiles {
            let url = directory.appendingPathComponent(path)
            guard let bytes = try? Data(contentsOf: url) else {
                return .failure(
                    LeafletMissing(
                        message: "Leaflet is not installed: \(url.path) cannot be read. Install Debian's package "
                            + "libjs-leaflet (apt-get install libjs-leaflet) and restart fanout serve."))
            }
            files[path] = StaticFile(bytes: Array(bytes), contentType: StaticFile.contentType(of: path))
        }
        return .success(files)
    }

    /// The page `/` shows when Leaflet is missing.
    static func unavailablePage(_ missing: LeafletMissing) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>fanout: map page unavailable</title></head>
        <body><h1>The map page is unavailable</h1><p>\(escapeHTML(missing.message))</p>
        <p>The JSON API under /v1 works without it (see /openapi.json).</p></body></html>
        """
    }

    /// `s` with HTML's special characters escaped.
    static func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
