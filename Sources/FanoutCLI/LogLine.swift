import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Logging
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// One log line as fanout writes it to standard error: as text or as a JSON object.
///
/// Text: `TIME LEVEL LABEL: MESSAGE key=value …`, e.g.
/// `2026-12-07T11:25:20.113Z warning fanout.dispatcher: provider throttled: slowing down t=T+0:05:12.0 channel=sms`.
/// JSON: one object per line with the keys `time`, `level`, `label`, `message` and `metadata`
/// (an object of strings; a list or dictionary value stays one). The time is UTC with
/// milliseconds (ISO 8601); metadata is ordered by key, dispatcher time `t` first.
struct LogLine {
    var time: Date
    var level: Logger.Level
    var label: String
    var message: String
    var metadata: Logger.Metadata

    /// The metadata in the order lines show it: `t` first, then by key.
    var orderedMetadata: [(key: String, value: Logger.Metadata.Value)] {
        metadata.sorted { a, b in
            if (a.key == "t") != (b.key == "t") { return a.key == "t" }
            return a.key < b.key
        }
    }

    /// The text line (without its newline). A value with a space, a quote, `=` or a control
    /// character is written as a JSON string, so every line splits back into its pairs.
    var text: String {
        var out = "\(Self.timestamp(time)) \(level.rawValue) \(label): \(message)"
        for (key, value) in orderedMetadata {
            out += " \(key)=\(Self.textValue(value))"
        }
        return out
    }

    /// The JSON line (one object, without its newline).
    var json: String {
        var out = "{\"time\":\(Self.quoted(Self.timestamp(time))),\"level\":\(Self.quoted(level.rawValue))"
        out += ",\"label\":\(Self.quoted(label)),\"message\":\(Self.quoted(message)),\"metadata\":{"
        out += orderedMetadata.map { "\(Self.quoted($0.key)):\(Self.jsonValue($0.value))" }.joined(separator: ",")
        return out + "}}"
    }

    /// `2026-12-07T11:25:20.113Z`.
    static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = ms % 1000
        let frac = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(frac)Z"
    }

    private static func textValue(_ value: Logger.Metadata.Value) -> String {
        let s: String
        switch value {
        case .string(let v): s = v
        case .stringConvertible(let v): s = v.description
        case .array, .dictionary: return jsonValue(value)
        }
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            c.value > 0x20 && c != "\"" && c != "=" && c != "\\" && c.value != 0x7F
        }
        return plain ? s : quoted(s)
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let v): return quoted(v)
        case .stringConvertible(let v): return quoted(v.description)
        case .array(let items): return "[" + items.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(jsonValue($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    /// `s` as a JSON string literal (the one escaping of the package, ``JSONValue/quoted(_:)``).
    static func quoted(_ s: String) -> String { JSONValue.quoted(s) }
}

/// The log handler the `fanout` command bootstraps swift-log with: lines go to standard error
/// through the ``TerminalWriter`` shared with the progress bar.
struct CommandLogHandler: LogHandler {
    /// The format of the lines.
    let format: LogFormat
    /// The logger's label (`fanout.dispatcher`, `fanout.kannel`).
    let label: String
    /// Where the lines go.
    let writer: TerminalWriter
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        let line = LogLine(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: all)
        writer.line(format == .json ? line.json : line.text)
    }
}
