import CPROJ
import FanoutCore
import Foundation

/// Owns one PROJ threading context (`PJ_CONTEXT*`).
///
/// PROJ contexts are not safe for simultaneous use: one caller at a time, on any thread, with every
/// `PJ` made from it used by the same caller. The context captures PROJ's log output so that the last message can
/// be copied into a ``GeoError`` instead of being printed to standard error.
///
/// - Important: Not `Sendable`: it moves with its owner (a ``CoordinateConverter``), never shared.
///   An owner working over several calls enters ``use``; in debug builds each call asserts that no
///   other thread is inside (``assertUsable()``).
package final class PROJContext {
    /// The raw context handle. Valid for the lifetime of this object.
    package let raw: OpaquePointer
    private let log: LogBox
    /// The one-caller-at-a-time check: owners enter it around an operation.
    package let use = ExclusiveUse("PROJContext")

    /// Receives PROJ's log messages; kept apart from the context so the C callback never
    /// touches a half-destroyed owner.
    private final class LogBox {
        var lastMessage: String?
    }

    /// Creates a context with logging captured and network access off.
    ///
    /// - Throws: ``GeoError`` with code `.proj` when PROJ cannot create a context.
    package init() throws {
        guard let ctx = proj_context_create() else {  // returns NULL on allocation failure
            throw GeoError(.proj, "PROJ: could not create a context")
        }
        raw = ctx
        log = LogBox()
        proj_log_level(ctx, PJ_LOG_ERROR)
        proj_log_func(ctx, Unmanaged.passUnretained(log).toOpaque()) { appData, _, message in
            guard let appData, let message else { return }
            Unmanaged<LogBox>.fromOpaque(appData).takeUnretainedValue().lastMessage = String(cString: message)
        }
        _ = proj_context_set_enable_network(ctx, 0)  // returns the new state; 0 means off
    }

    deinit {
        proj_log_func(raw, nil, nil)
        proj_context_destroy(raw)
    }

    /// Checks in debug builds that no other thread is inside the context's ``use`` (any thread
    /// may use the context, one at a time).
    @inline(__always)
    package func assertUsable() {
        #if DEBUG
            precondition(use.isFreeForCurrentThread, "PROJContext used while another thread is inside it")
        #endif
    }

    /// Checks that PROJ knows `crs`, the one check every reader and command makes.
    ///
    /// - Parameters:
    ///   - place: Where the CRS was named, for the message (see ``GeoError/unknownCRS(_:at:reason:location:)``).
    ///   - location: Where it was named, as data.
    /// - Throws: ``GeoError`` `.unknownCRS` when `proj_create` cannot make it.
    package func requireKnown(_ crs: CRS, at place: String? = nil, location: ErrorLocation? = nil) throws {
        assertUsable()
        // returns NULL when the definition is unknown
        guard let probe = proj_create(raw, crs.description) else {
            // PROJ's errno text for this case is a bare "Unknown error (code 4096)": its log line says more.
            let reason = takeError().split(separator: "; ").filter { !$0.hasPrefix("Unknown error (code") }
            throw GeoError.unknownCRS(
                crs, at: place, reason: reason.isEmpty ? "PROJ cannot make it" : reason.joined(separator: "; "),
                location: location)
        }
        proj_destroy(probe)
    }

    /// The context's current error as text (errno string plus the last log line), then resets it.
    package func takeError() -> String {
        let code = proj_context_errno(raw)
        var parts: [String] = []
        if code != 0, let s = proj_context_errno_string(raw, code) { parts.append(String(cString: s)) }
        if let m = log.lastMessage, !parts.contains(m) { parts.append(m) }
        log.lastMessage = nil
        return parts.isEmpty ? "unknown PROJ error" : parts.joined(separator: "; ")
    }
}
