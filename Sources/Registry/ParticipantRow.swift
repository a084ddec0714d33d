import Geo

/// One participant row as read from a CSV file, checked but not yet transformed.
struct ParticipantRow {
    var line: Int
    var id: Int64
    var x: Double
    var y: Double
    /// The row's own CRS (`crs` column), or `nil` for the file's.
    var crs: CRS?
    var country: String?
    var phone: String?
    var email: String?
    var channels: String?
    var quietHours: String?
    var language: String?
    /// The person this address belongs to (`person` column); `nil` means the id itself.
    var person: Int64?
    /// Incident types opted out of, canonical (`opt_out` column, see ``OptOut``).
    var optOut: String?
}

/// The columns a participant CSV may have, located in its header.
struct CSVLayout {
    static let known: Set<String> = [
        "id", "lon", "lat", "x", "y", "crs", "country", "phone", "email", "channels", "quiet_hours", "language",
        "person", "opt_out",
    ]
    var id: Int
    var x: Int
    var y: Int
    var xName: String
    var yName: String
    var crs: Int?
    var country: Int?
    var phone: Int?
    var email: Int?
    var channels: Int?
    var quietHours: Int?
    var language: Int?
    var person: Int?
    var optOut: Int?
    var columnCount: Int
    /// Header names that are not ours, ignored (reported once as a warning).
    var unknown: [String]

    /// Locates the columns in `header`.
    ///
    /// - Parameter crsGiven: whether the user named the CRS (then `x,y` are accepted; so they are
    ///   when the file has a `crs` column).
    /// - Throws: ``RegistryError`` `.input` naming what is missing or repeated.
    init(header: [String], path: String, crsGiven: Bool) throws {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            if n.isEmpty { continue }
            if index[n] != nil {
                throw RegistryError(.input, "\(path):1: column '\(n)' appears twice in the header")
            }
            index[n] = i
        }
        guard let id = index["id"] else {
            throw RegistryError(
                .input, "\(path):1: missing required column 'id' (header must have id,lon,lat or, with --crs, id,x,y)")
        }
        if let lon = index["lon"], let lat = index["lat"] {
            (x, y, xName, yName) = (lon, lat, "lon", "lat")
        } else if let ex = index["x"], let wy = index["y"] {
            guard crsGiven || index["crs"] != nil else {
                throw RegistryError(
                    .input,
                    "\(path):1: columns x,y need --crs EPSG:NNNN or a crs column to say what they are "
                        + "(lon,lat are WGS84)")
            }
            (x, y, xName, yName) = (ex, wy, "x", "y")
        } else {
            let missing = ["lon", "lat"].filter { index[$0] == nil }
            throw RegistryError(
                .input,
                "\(path):1: missing required column\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: " and ")) "
                    + "(header must have id,lon,lat or, with --crs, id,x,y)")
        }
        self.id = id
        crs = index["crs"]
        country = index["country"]
        phone = index["phone"]
        email = index["email"]
        channels = index["channels"]
        quietHours = index["quiet_hours"]
        language = index["language"]
        person = index["person"]
        optOut = index["opt_out"]
        columnCount = names.count
        unknown = names.filter { !$0.isEmpty && !Self.known.contains($0) }
    }

    /// Parses and checks one record.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the file, line and field; personal fields are
    ///   described, never quoted, and so is any value that looks like a phone number or an e-mail
    ///   address (``QuotedValue``), in whatever column it is.
    func parse(_ record: CSVReader.Record, path: String) throws -> ParticipantRow {
        let f = record.fields
        let at = "\(path):\(record.line)"
        guard f.count == columnCount else {
            throw RegistryError(.input, "\(at): \(f.count) fields, the header has \(columnCount)")
        }
        func text(_ i: Int?) -> String? {
            guard let i else { return nil }
            let t = f[i].trimmedSpaces
            return t.isEmpty ? nil : String(t)
        }
        let idText = f[id].trimmedSpaces
        if let problem = QuotedValue.idProblem(idText) {
            throw RegistryError(.input, "\(at): field 'id': \(problem)")
        }
        let idValue = Int64(idText) ?? 0
        func number(_ i: Int, _ name: String) throws -> Double {
            let t = f[i].trimmedSpaces
            // `Double("+31612345678")` parses: a phone number in a position column is refused here,
            // described, before a position message could show it as a coordinate.
            if QuotedValue.looksLikePhoneNumber(t) || QuotedValue.looksLikeEmailAddress(t) {
                throw RegistryError(
                    .input,
                    "\(at): field '\(name)': \(QuotedValue.describe(t)) is not a coordinate; are the columns in the "
                        + "header's order?")
            }
            guard let v = Double(t), v.isFinite else {
                throw RegistryError(
                    .input,
                    "\(at): field '\(name)': \(QuotedValue.describe(t)) is not a number"
                        + (t.isEmpty ? " (empty)" : ""))
            }
            return v
        }
        var row = ParticipantRow(
            line: record.line, id: idValue, x: try number(x, xName), y: try number(y, yName))
        if let c = text(crs) {
            guard let code = CRS(parsing: c) else {
                throw RegistryError(
                    .input,
                    "\(at): field 'crs': \(QuotedValue.describe(c, limit: 20)) is not a CRS name (\(CRS.acceptedForms))"
                )
            }
            row.crs = code
        }
        if let c = text(country) {
            guard let code = CountryCode(c), code.isAssigned else {
                throw RegistryError(
                    .input,
                    "\(at): field 'country': \(QuotedValue.describe(c, limit: 20)) is not an ISO 3166-1 alpha-2 code "
                        + "(e.g. NL, BE, DE)")
            }
            row.country = code.description
        }
        if let p = text(phone) {
            guard Self.isPhoneNumber(p) else {
                throw RegistryError(
                    .input, "\(at): field 'phone': not a phone number (expected 6 to 20 digits, optionally a leading +)"
                )
            }
            row.phone = p
        }
        if let e = text(email) {
            guard Self.isEmailAddress(e) else {
                throw RegistryError(.input, "\(at): field 'email': not an e-mail address (expected name@domain)")
            }
            row.email = e
        }
        if let c = text(channels) {
            switch Self.canonicalChannels(c) {
            case .success(let canonical): row.channels = canonical
            case .failure(let problem): throw RegistryError(.input, "\(at): field 'channels': \(problem.text)")
            }
        }
        if let q = text(quietHours) {
            do { row.quietHours = try QuietHours(parsing: q).description } catch let e as RegistryError {
                throw RegistryError(.input, "\(at): field 'quiet_hours': \(e.message)")
            }
        }
        if let l = text(language) {
            switch Self.canonicalLanguage(l) {
            case .success(let canonical): row.language = canonical
            case .failure(let problem): throw RegistryError(.input, "\(at): field 'language': \(problem.text)")
            }
        }
        if let p = text(person) {
            if let problem = QuotedValue.idProblem(Substring(p)) {
                throw RegistryError(.input, "\(at): field 'person': \(problem)")
            }
            row.person = Int64(p)
        }
        if let o = text(optOut) {
            do { row.optOut = try OptOut(parsing: o).description } catch let e as RegistryError {
                throw RegistryError(.input, "\(at): field 'opt_out': \(e.message)")
            }
        }
        return row
    }

    static let channelNames: Set<String> = ["voice", "sms", "email", "app"]

    /// Why a field value is refused, without the file and line (the caller adds them).
    struct Problem: Error {
        var text: String
    }

    /// `"SMS, voice"` as stored (`sms,voice`), or why it is not a list of channels.
    static func canonicalChannels(_ c: String) -> Result<String, Problem> {
        let parts = c.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if let bad = parts.first(where: { !channelNames.contains($0) }) {
            return .failure(
                Problem(text: "\(QuotedValue.describe(bad, limit: 20)) is not a channel (voice, sms, email, app)"))
        }
        return .success(parts.joined(separator: ","))
    }

    /// An ISO 639 code as stored (lower case), or why it is not one.
    static func canonicalLanguage(_ l: String) -> Result<String, Problem> {
        guard (2...3).contains(l.count), l.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return .failure(Problem(text: "\(QuotedValue.describe(l, limit: 10)) is not an ISO 639 code (e.g. nl)"))
        }
        return .success(l.lowercased())
    }

    static func isPhoneNumber(_ s: String) -> Bool {
        var digits = 0
        for (i, c) in s.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == "+" && i == 0 {
                continue
            } else if c == " " || c == "-" {
                continue
            } else {
                return false
            }
        }
        return (6...20).contains(digits)
    }

    static func isEmailAddress(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let at = u.firstIndex(of: UInt8(ascii: "@")), at > 0, u.lastIndex(of: UInt8(ascii: "@")) == at else {
            return false
        }
        let domain = u[(at + 1)...]
        guard let first = domain.first, let last = domain.last, first != UInt8(ascii: "."), last != UInt8(ascii: "."),
            domain.contains(UInt8(ascii: "."))
        else { return false }
        return !u.contains { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}
