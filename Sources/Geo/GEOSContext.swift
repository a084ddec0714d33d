import CGEOS
import Foundation

/// One GEOS context handle (`GEOSContextHandle_t`) and its last error message.
///
/// A `GEOSContext` is made with `GEOS_init_r` and freed with `GEOS_finish_r` in `deinit`. It is the
/// factory for every GEOS object in this module (``GEOSGeometry``, ``GEOSPreparedGeometry``,
/// ``GEOSPointSTRtree``), and each of them keeps a strong reference to the context that made it,
/// so the context outlives all its handles.
///
/// GEOS reports errors through a message handler. The context installs one with
/// `GEOSContext_setErrorMessageHandler_r`, passing `Unmanaged.passUnretained(self)` as user data
/// (safe because GEOS stops calling back when `GEOS_finish_r` runs in `deinit`). Only the *last*
/// message is kept, and reading it with ``takeLastError()`` clears it, so a message is never
/// reported twice and memory does not grow on a long-lived context.
///
/// - Important: A context and every handle made from it are used by one caller at a time, on any
///   thread (GEOS `_r` contexts are not tied to a thread, only not safe for simultaneous use).
///   An owner that works with the context over several calls enters ``use`` around its operation;
///   in debug builds every call asserts that no other thread is inside (``assertUsable()``). The
///   type is not `Sendable`: it moves with its owner (an ``ExclusiveUse``-checked type such as
///   the engine), never shared.
///
/// ## Topics
/// - ``GEOSGeometry``
/// - ``GEOSPreparedGeometry``
/// - ``GEOSPointSTRtree``
/// - ``GeometryValidity``
package final class GEOSContext {
    /// The GEOS handle, valid until `deinit`.
    let handle: GEOSContextHandle_t

    /// The last error message GEOS reported and nobody has read yet.
    private var lastError: String?

    /// The one-caller-at-a-time check: owners enter it around an operation.
    package let use = ExclusiveUse("GEOSContext")

    #if DEBUG
        /// Handles made from this context that are still alive (debug builds only).
        private var ownedHandles = 0
    #endif

    /// Creates a GEOS context with `GEOS_init_r` and installs its error handler.
    ///
    /// - Throws: ``GeoError`` with code `.geos` when GEOS cannot allocate a context.
    package init() throws {
        guard let handle = GEOS_init_r() else {
            throw GeoError(.geos, "GEOS_init_r: could not create a GEOS context")
        }
        self.handle = handle
        // The handler is a non-capturing closure, so it converts to a C function pointer.
        _ = GEOSContext_setErrorMessageHandler_r(
            handle,
            { message, userData in
                guard let userData else { return }
                let context = Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue()
                context.lastError = message.map { String(cString: $0) } ?? "unknown GEOS error"
            },
            Unmanaged.passUnretained(self).toOpaque())
        GEOSHandleCounter.shared.increment()
    }

    deinit {
        assertUsable()
        GEOS_finish_r(handle)
        GEOSHandleCounter.shared.decrement()
    }

    // MARK: - Errors

    /// Returns the last error message GEOS reported on this context and clears it.
    ///
    /// - Returns: The message, or `nil` if GEOS reported nothing since the last call.
    package func takeLastError() -> String? {
        assertUsable()
        defer { lastError = nil }
        return lastError
    }

    /// Makes a `.geos` error for a failed GEOS call, consuming the last GEOS message.
    ///
    /// - Parameter operation: The C function or operation that failed, for example `"GEOSArea_r"`.
    /// - Returns: `GeoError(.geos, "<operation>: <GEOS message>")`.
    func error(_ operation: String) -> GeoError {
        error(.geos, operation)
    }

    /// Makes an error with the given code for a failed GEOS call, consuming the last GEOS message.
    ///
    /// - Parameters:
    ///   - code: The error code to use.
    ///   - operation: What failed; it prefixes the message.
    /// - Returns: `GeoError(code, "<operation>: <GEOS message>")`.
    func error(_ code: GeoError.Code, _ operation: String) -> GeoError {
        GeoError(code, "\(operation): \(takeLastError() ?? "GEOS reported failure without a message")")
    }

    // MARK: - One caller at a time

    /// Asserts, in debug builds, that no other thread is inside the context's ``use`` (any thread
    /// may use the context, one at a time).
    @inline(__always)
    func assertUsable(file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
            assert(
                use.isFreeForCurrentThread, "GEOSContext used while another thread is inside it", file: file,
                line: line)
        #endif
    }

    // MARK: - Leak accounting (debug builds)

    /// Records that a handle owned by this context was created.
    @inline(__always)
    func handleCreated() {
        #if DEBUG
            ownedHandles += 1
            GEOSHandleCounter.shared.increment()
        #endif
    }

    /// Records that a handle owned by this context was freed.
    @inline(__always)
    func handleDestroyed() {
        #if DEBUG
            ownedHandles -= 1
            GEOSHandleCounter.shared.decrement()
        #endif
    }

    #if DEBUG
        /// The number of live GEOS handles made from this context (debug builds only).
        ///
        /// Handles are geometries, prepared geometries, trees, WKT readers and writers. Tests check
        /// that it is back at 0 once their objects are released; unlike ``liveHandleCount`` it is
        /// not disturbed by tests running in parallel.
        package var ownedHandleCount: Int {
            assertUsable()
            return ownedHandles
        }

        /// The number of live GEOS contexts and handles in the whole process (debug builds only).
        ///
        /// Counts every ``GEOSContext`` plus every handle counted by ``ownedHandleCount``.
        package static var liveHandleCount: Int { GEOSHandleCounter.shared.value }
    #endif
}

/// A process-wide, lock-protected count of live GEOS handles, used only by debug leak checks.
///
/// `@unchecked Sendable` is sound here: the only stored state is guarded by `lock`.
final class GEOSHandleCounter: @unchecked Sendable {
    /// The single counter.
    static let shared = GEOSHandleCounter()

    private let lock = NSLock()
    private var count = 0

    /// Adds one live handle (no-op in release builds).
    @inline(__always)
    func increment() {
        #if DEBUG
            lock.lock()
            count += 1
            lock.unlock()
        #endif
    }

    /// Removes one live handle (no-op in release builds).
    @inline(__always)
    func decrement() {
        #if DEBUG
            lock.lock()
            count -= 1
            lock.unlock()
        #endif
    }

    /// The current count (always 0 in release builds).
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
