import FanOut
import Foundation

/// One provider's object in a dispatcher configuration file (`"kannel"`, `"sip"`, `"smtp"`,
/// `"webpush"`): the file read with the dispatcher's size bound, the object found, its unknown
/// keys and its values of the wrong type refused with the file, the key and what it must be.
/// Every adapter's `+File` reader starts here; what each then checks is its own.
package enum ProviderConfigFile {
    /// The file's bytes (at most `DispatchConfig.maxFileBytes`, refused before all is in memory).
    ///
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the file.
    package static func read(_ url: URL) throws -> Data {
        do { return try DispatchConfig.readFile(url, what: "the configuration") } catch {
            throw ProviderAdapterError(.invalidConfiguration, "\(error)")
        }
    }

    /// The error about `object`'s `key` (the object itself when `key` is empty) in `source`:
    /// `dispatch.json: 'sip.lines' must be …`.
    package static func problem(_ source: String, _ object: String, _ key: String, _ text: String) -> ProviderAdapterError {
        ProviderAdapterError(.invalidConfiguration, "\(source): '\(object)\(key.isEmpty ? "" : ".")\(key)' \(text)")
    }

    /// The object `name` of the configuration `data`, decoded as `Keys`; `nil` when there is none.
    ///
    /// - Parameters:
    ///   - kinds: Every key the object may have, with what its value must be (for messages).
    ///   - what: What a key is, for the unknown-key message (`a SIP configuration key`).
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming `source` and the key: not a
    ///   JSON object, the object not an object, an unknown key, a value of the wrong type.
    package static func decode<Keys: Decodable>(
        _: Keys.Type, from data: Data, name: String, source: String, kinds: [String: String], what: String
    ) throws -> Keys? {
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ProviderAdapterError(.invalidConfiguration, "\(source): not a JSON object")
        }
        guard let raw = top[name] else { return nil }
        guard let object = raw as? [String: Any] else { throw problem(source, name, "", "must be an object") }
        for key in object.keys.sorted() where kinds[key] == nil {
            throw problem(source, name, key, "is not \(what) (known: \(kinds.keys.sorted().joined(separator: ", ")))")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[objectName] = name
        do { return try decoder.decode(Wrapper<Keys>.self, from: data).value } catch let error as DecodingError {
            let key = Self.key(of: error)
            throw problem(source, name, key, "must be \(kinds[key] ?? "of another type")")
        }
    }

    /// The key a decoding error is about (the second element of its coding path).
    private static func key(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let k, let c): path = c.codingPath + [k]
        @unknown default: path = []
        }
        return path.dropFirst().first?.stringValue ?? ""
    }

    private static let objectName = CodingUserInfoKey(rawValue: "fanout.provider-object")!

    /// The file's top level with the one object decoded (the others are left alone).
    private struct Wrapper<Keys: Decodable>: Decodable {
        let value: Keys

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let name = decoder.userInfo[ProviderConfigFile.objectName] as? String ?? ""
            value = try decoder.container(keyedBy: Key.self).decode(Keys.self, forKey: Key(stringValue: name))
        }
    }
}
