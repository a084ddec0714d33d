import Foundation
import HTTPTypes
import Hummingbird

/// The dispatcher's map page: `/`, its scripts and styles, Leaflet and the vector layers.
///
/// All of it is public (no token): the page asks for the token itself and sends it only to `/v1`;
/// the layers are published open data (country borders from OpenStreetMap, municipalities from
/// CBS) with no personal data in them. Nothing here comes from the registry or the ledger.
extension Routes {
    /// The security headers of every page answer: scripts and styles from this service only, no framing.
    static let pageHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .cacheControl: "no-cache",
    ]

    /// Registers the map page's routes.
    func addMapRoutes(to router: Router<ServeContext>) {
        router.get("/") { _, _ in
            switch map.leaflet {
            case .success: return page(map.page["index.html"]!)
            case .failure(let missing):
                return page(
                    StaticFile(bytes: Array(MapAssets.unavailablePage(missing).utf8), contentType: "text/html; charset=utf-8"),
                    status: .serviceUnavailable)
            }
        }
        router.get("/static/map/:file") { _, context in
            guard let name = context.parameters.get("file"), let file = map.page[name] else {
                throw ServeError(.notFound, "no such file of the map page", field: "file")
            }
            return page(file)
        }
        router.get("/static/leaflet/:file") { _, context in try leafletFile(context.parameters.get("file")) }
        router.get("/static/leaflet/images/:file") { _, context in
            try leafletFile(context.parameters.get("file").map { "images/\($0)" })
        }
        router.get("/layers/:name") { _, context in
            guard let name = context.parameters.get("name"), let layer = map.layers[name] else {
                throw ServeError(
                    .notFound, "no such layer: the layers are \(map.layers.keys.sorted().joined(separator: ", "))",
                    field: "name")
            }
            var headers = Self.pageHeaders
            headers[.contentType] = "application/geo+json"
            headers[.cacheControl] = "max-age=3600"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: layer.geojson)))
        }
    }

    /// One of Leaflet's files, or 503 when Leaflet is not installed.
    func leafletFile(_ path: String?) throws -> Response {
        switch map.leaflet {
        case .failure(let missing): throw ServeError(.notReady, missing.message)
        case .success(let files):
            guard let path, let file = files[path] else {
                throw ServeError(.notFound, "no such file of Leaflet's", field: "file")
            }
            return page(file)
        }
    }

    /// A static file's answer with the page headers.
    func page(_ file: StaticFile, status: HTTPResponse.Status = .ok) -> Response {
        var headers = Self.pageHeaders
        headers[.contentType] = file.contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
