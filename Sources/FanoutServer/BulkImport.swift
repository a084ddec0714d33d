import FanoutCore
import Foundation
import Geo
import Hummingbird
import Participants

extension Routes {
    /// `POST /v1/participants`: a streaming bulk registration of newline-delimited JSON, one
    /// participant per line (`{"id": 17, "lon": 5.12, "lat": 52.09, "phone": "+316…", …}`, the
    /// fields of `PUT /v1/participants/{id}` plus `id`).
    ///
    /// The body is read as it arrives, line by line, and every line is checked before anything is
    /// written; then all participants are written in one transaction and are visible to the next
    /// selection. A bad line refuses the whole request (422 naming the line and field): nothing is
    /// half-written. At most ``ServeConfiguration/Limits/bulkParticipants`` lines and
    /// ``ServeConfiguration/Limits/bulkBytes`` bytes per request (413 beyond); send more in several.
    func addBulkImport(to router: Router<ServeContext>) {
        router.post("/v1/participants") { request, context in
            let principal = try authorize(request, .writeParticipants)
            let origin = room.origin(principal, context)
            let records = try await BulkLines.records(request.body, limits: room.limits)
            let loaded = try room.room()
            try await loaded.selection.register(
                records,
                alongside: loaded.ledger.commandRecords(
                    .participantRegister, participants: records.map(\.id), origin: origin, at: loaded.dispatcher.clock.now))
            room.logCommand(origin, .participantRegister, participant: nil)
            return json(["registered": .number(Double(records.count))])
        }
    }
}

/// Reads newline-delimited participant JSON from a streamed body.
enum BulkLines {
    /// The participants of `body`, each checked; ids must not repeat.
    ///
    /// - Throws: ``ServeError`` `.badRequest` naming the line (and field), `.tooLarge`.
    static func records(_ body: RequestBody, limits: ServeConfiguration.Limits) async throws -> [ParticipantRecord] {
        var records: [ParticipantRecord] = []
        var seen = Set<Int64>()
        var pending: [UInt8] = []
        var bytes = 0
        var line = 0
        func take(_ text: ArraySlice<UInt8>) throws {
            line += 1
            var slice = text
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }  // a file from Windows
            if line == 1, slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            guard slice.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }  // blank lines are skipped
            guard records.count < limits.bulkParticipants else {
                throw ServeError(
                    .tooLarge, "more than \(limits.bulkParticipants) participants in one request: send them in several")
            }
            let object: [String: JSONValue]
            do { object = try jsonObject(Data(slice)) } catch let e as ServeError {
                throw ServeError(.badRequest, "line \(line): \(e.message)", field: "line \(line)")
            }
            guard case .number(let n)? = object["id"], n >= 1, n <= Double(Routes.maxID), n == n.rounded() else {
                throw ServeError(.badRequest, "line \(line): id: expected a whole number from 1 to 2^53 - 1", field: "line \(line).id")
            }
            let id = Int64(n)
            guard seen.insert(id).inserted else {
                throw ServeError(.badRequest, "line \(line): id \(id) was given on an earlier line", field: "line \(line).id")
            }
            var fields = object
            fields["id"] = nil
            do { records.append(try ParticipantInput.record(id: id, fields)) } catch let e as ServeError {
                throw ServeError(.badRequest, "line \(line): \(e.message)", field: "line \(line).\(e.field ?? "")")
            }
        }
        for try await buffer in body {
            bytes += buffer.readableBytes
            guard bytes <= limits.bulkBytes else {
                throw ServeError(.tooLarge, "the body is larger than \(limits.bulkBytes) bytes: send the participants in several requests")
            }
            pending.append(contentsOf: buffer.readableBytesView)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try take(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { try take(pending[...]) }
        guard !records.isEmpty else { throw ServeError(.badRequest, "the body holds no participant (one JSON object per line)") }
        return records
    }
}
