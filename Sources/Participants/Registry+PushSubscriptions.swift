import Foundation
import GRDB

/// A person's Web Push subscription: where their app or browser is reached (RFC 8030) and the keys
/// its messages are encrypted to (RFC 8291), as the browser's `PushSubscription.toJSON()` gives them.
///
/// - Important: Personal data: the endpoint identifies the subscriber and the keys decrypt nothing
///   but are theirs. Never log them or put them in an error message.
public struct PushSubscription: Sendable, Hashable {
    /// The push service URL to `POST` messages to: `https://…`, or `http://` on a loopback address.
    public var endpoint: String
    /// The user agent's public key (`keys.p256dh`): a 65-byte uncompressed P-256 point, base64url.
    public var p256dh: String
    /// The authentication secret (`keys.auth`): 16 bytes, base64url.
    public var auth: String
    /// When it was first stored for the person (`nil` for one not stored yet).
    public var createdAt: Date?
    /// When it was last stored.
    public var updatedAt: Date?

    /// Checks a subscription as the browser gave it.
    ///
    /// The keys may carry base64 padding (`=`); they are kept without.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the field (`endpoint`, `p256dh` or `auth`) and
    ///   what is wrong with it, never quoting it.
    public init(endpoint: String, p256dh: String, auth: String) throws {
        try Self.checkEndpoint(endpoint)
        guard let point = Base64URL.decode(p256dh) else {
            throw RegistryError(.input, "field 'p256dh': not base64url", field: "p256dh")
        }
        guard point.count == 65, point[0] == 4 else {
            throw RegistryError(
                .input, "field 'p256dh': must be a 65-byte uncompressed P-256 point (04‖x‖y), got \(point.count) bytes",
                field: "p256dh")
        }
        guard P256Point.isOnCurve(uncompressed: point) else {
            throw RegistryError(.input, "field 'p256dh': not a point on the P-256 curve", field: "p256dh")
        }
        guard let secret = Base64URL.decode(auth) else {
            throw RegistryError(.input, "field 'auth': not base64url", field: "auth")
        }
        guard secret.count == 16 else {
            throw RegistryError(
                .input, "field 'auth': must be a 16-byte secret, got \(secret.count) bytes", field: "auth")
        }
        self.endpoint = endpoint
        self.p256dh = Base64URL.encode(point)
        self.auth = Base64URL.encode(secret)
    }

    /// The decoded ``p256dh`` (65 bytes).
    public var p256dhBytes: [UInt8] { Base64URL.decode(p256dh) ?? [] }
    /// The decoded ``auth`` (16 bytes).
    public var authBytes: [UInt8] { Base64URL.decode(auth) ?? [] }

    /// Refuses an endpoint that is not an absolute `https` URL (or `http` on loopback).
    private static func checkEndpoint(_ endpoint: String) throws {
        func bad(_ problem: String) -> RegistryError {
            RegistryError(.input, "field 'endpoint': \(problem)", field: "endpoint")
        }
        guard endpoint.utf8.count <= 2048 else { throw bad("longer than 2048 bytes") }
        guard !endpoint.contains(where: { $0.isWhitespace || $0.isNewline }),
            let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty
        else { throw bad("not an absolute URL") }
        guard url.user == nil, url.password == nil else { throw bad("must not carry a user or password") }
        guard url.fragment == nil else { throw bad("must not carry a fragment (#…)") }
        switch scheme {
        case "https": return
        case "http":
            let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard h == "localhost" || h == "::1" || h.hasPrefix("127.") else {
                throw bad("must be https (http only on a loopback address)")
            }
        default: throw bad("must be https (http only on a loopback address)")
        }
    }
}

extension Registry {
    /// Stores `subscription` as `person`'s, replacing the one they had.
    ///
    /// A person has at most one subscription (their latest app or browser). The table is apart
    /// from the participants: storing one does not change the registry's generation.
    ///
    /// - Throws: ``RegistryError`` `.input` (field `person`) when no participant is that person;
    ///   `.database` for SQLite.
    public func setPushSubscription(person: Int64, _ subscription: PushSubscription) throws {
        let now = Self.timestamp(Date())
        do {
            try database.writer().write { db in
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM participant WHERE id = ? OR person = ?)",
                        arguments: [person, person]) == true
                else {
                    throw RegistryError(.input, "field 'person': no participant is person \(person)", field: "person")
                }
                try db.execute(
                    sql: """
                        INSERT INTO push_subscription (person, endpoint, p256dh, auth, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (person) DO UPDATE SET
                            endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
                            updated_at = excluded.updated_at
                        """,
                    arguments: [person, subscription.endpoint, subscription.p256dh, subscription.auth, now, now])
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "storing a push subscription")
        }
    }

    /// Checks a subscription as the browser gave it and stores it as `person`'s.
    ///
    /// See ``PushSubscription/init(endpoint:p256dh:auth:)`` and ``setPushSubscription(person:_:)``.
    /// - Throws: ``RegistryError`` `.input` naming the field; `.database` for SQLite.
    public func setPushSubscription(person: Int64, endpoint: String, p256dh: String, auth: String) throws {
        try setPushSubscription(person: person, PushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
    }

    /// `person`'s subscription, or `nil` when they have none.
    ///
    /// - Important: The result is personal data: never log it.
    /// - Throws: ``RegistryError`` `.database`.
    public func pushSubscription(person: Int64) throws -> PushSubscription? {
        do {
            return try pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: "SELECT endpoint, p256dh, auth, created_at, updated_at FROM push_subscription WHERE person = ?",
                        arguments: [person])
                else { return nil }
                var s = PushSubscription(stored: row[0], p256dh: row[1], auth: row[2])
                s.createdAt = Self.date(row[3])
                s.updatedAt = Self.date(row[4])
                return s
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading a push subscription")
        }
    }

    /// Removes `person`'s subscription; with `endpoint`, only when it is still that one (a push
    /// service answered 410 Gone for it while the person may have subscribed anew).
    ///
    /// - Returns: Whether a subscription was removed.
    /// - Throws: ``RegistryError`` `.database`.
    @discardableResult
    public func removePushSubscription(person: Int64, endpoint: String? = nil) throws -> Bool {
        do {
            return try database.writer().write { db in
                if let endpoint {
                    try db.execute(
                        sql: "DELETE FROM push_subscription WHERE person = ? AND endpoint = ?",
                        arguments: [person, endpoint])
                } else {
                    try db.execute(sql: "DELETE FROM push_subscription WHERE person = ?", arguments: [person])
                }
                return db.changesCount > 0
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "removing a push subscription")
        }
    }

    /// How many persons have a subscription.
    ///
    /// - Throws: ``RegistryError`` `.database`.
    public func pushSubscriptionCount() throws -> Int {
        do {
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_subscription") ?? 0 }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "counting push subscriptions")
        }
    }

    private static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    private static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}

extension PushSubscription {
    /// A subscription as stored (checked when it was stored).
    fileprivate init(stored endpoint: String, p256dh: String, auth: String) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
    }
}

// MARK: - base64url

/// Base64url (RFC 4648 §5) without padding, as Web Push writes keys.
package enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `bytes` in base64url, unpadded.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next()
            let c = it.next()
            let n = UInt32(a) << 16 | UInt32(b ?? 0) << 8 | UInt32(c ?? 0)
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if b != nil { out.append(alphabet[Int(n >> 6 & 63)]) }
            if c != nil { out.append(alphabet[Int(n & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64url `text` (trailing `=` allowed); `nil` for any other character or a
    /// length no encoding has.
    package static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for ch in chars {
            let v: UInt32
            switch ch {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(ch - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(ch - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(ch - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "_"): v = 63
            default: return nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}
