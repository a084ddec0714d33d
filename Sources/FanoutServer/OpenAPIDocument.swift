import Foundation

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
