import Foundation
import Geo

/// The API's OpenAPI 3.1 document (`Resources/openapi.json`), served at `GET /openapi.json`.
enum OpenAPIDocument {
    /// Reads the document from the module's resources.
    ///
    /// - Throws: ``ServeError`` `.config` when the resource is missing (a broken installation).
    static func load() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else { throw ServeError(.config, "the OpenAPI document is missing from the installation (Resources/openapi.json)") }
        return Array(data)
    }
}

/// The paths and methods the OpenAPI document declares: a request for a declared path with an
/// undeclared method is answered 405 with an `Allow` header, not 404.
struct DeclaredRoutes: Sendable {
    /// Each path template's segments (`{id}` matches any one segment) and its methods, upper-case.
    private let routes: [(segments: [String], methods: [String])]

    /// Reads the `paths` of an OpenAPI document.
    ///
    /// - Throws: ``ServeError`` `.config` when the document is not JSON with a `paths` object.
    init(document: [UInt8]) throws {
        guard case .object(let root)? = try? JSONDecoder().decode(JSONValue.self, from: Data(document)),
            case .object(let paths)? = root["paths"]
        else { throw ServeError(.config, "the OpenAPI document has no paths object") }
        routes = paths.map { path, item in
            var methods: [String] = []
            if case .object(let operations) = item { methods = operations.keys.map { $0.uppercased() }.sorted() }
            return (path.split(separator: "/").map(String.init), methods)
        }
    }

    /// The methods declared for a concrete path, or `nil` when the document does not declare it.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "?", maxSplits: 1)[0].split(separator: "/")
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { template, part in
                (template.hasPrefix("{") && template.hasSuffix("}")) || template == part
            }
            if matches { return route.methods }
        }
        return nil
    }
}
