/// A coding key spelled out where it is used (`"inner_m"`): the stable snake_case names of the
/// `--json` documents (docs/schemas), independent of any key strategy of the encoder.
package struct JSONKey: CodingKey, ExpressibleByStringLiteral, Sendable {
    package var stringValue: String
    package var intValue: Int? { nil }

    /// A key named `name`.
    package init(_ name: String) { stringValue = name }
    package init(stringLiteral name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }

    /// `name` in snake_case: `noAnswer` → `no_answer`, `quiet-hours` → `quiet_hours`.
    package static func snakeCased(_ name: String) -> String {
        var out = ""
        for c in name {
            if c == "-" {
                out.append("_")
            } else if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// A count for every case of `Key`, 0 for those missing from the dictionary, keyed by the case's
/// raw value in snake_case: the JSON form of counts per state, channel, result or reason (a
/// dictionary keyed by an enum would otherwise encode as an array of alternating keys and values).
///
/// Decoding reads it back: a missing case or a count of 0 is left out of ``counts``, and a key that
/// names no case is a data error.
package struct CaseCounts<Key: RawRepresentable & CaseIterable & Hashable & Sendable>: Codable, Sendable
where Key.RawValue == String {
    /// The counts; cases not in it are written as 0.
    package var counts: [Key: Int]

    /// Wraps `counts`.
    package init(_ counts: [Key: Int]) { self.counts = counts }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        for k in Key.allCases { try c.encode(counts[k, default: 0], forKey: JSONKey(JSONKey.snakeCased(k.rawValue))) }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        var byName: [String: Key] = [:]
        for k in Key.allCases { byName[JSONKey.snakeCased(k.rawValue)] = k }
        var counts: [Key: Int] = [:]
        for key in c.allKeys {
            guard let k = byName[key.stringValue] else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c,
                    debugDescription: "'\(key.stringValue)' is not one of \(Key.allCases.map { JSONKey.snakeCased($0.rawValue) })")
            }
            let n = try c.decode(Int.self, forKey: key)
            if n != 0 { counts[k] = n }
        }
        self.counts = counts
    }
}
