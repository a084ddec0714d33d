import Geo
import Participants
/// Something due at a time in the dispatcher.
enum DispatchEvent {
    /// A message's outcome arrives (voice: the call ends and frees its line).
    case completed(MessageKey, Channel, DeliveryResult, attempt: UInt16)
    /// A channel may take its next batch (or, after a pause, calls again).
    case channelReady(Channel)
    /// A retry's backoff is over: the message joins its channel's queue.
    case retryDue(ActionID, person: Int64, MessageKind)
}

/// A binary min-heap of timed events over contiguous storage; equal times come out in insertion
/// order.
///
/// - Complexity: `push` and `popFirst` are O(log n).
struct EventQueue {
    private struct Entry {
        var nanoseconds: Int64
        var seq: UInt64
        var event: DispatchEvent

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            nanoseconds != other.nanoseconds ? nanoseconds < other.nanoseconds : seq < other.seq
        }
    }

    private var heap: [Entry] = []
    private var nextSeq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var firstTime: Duration? { heap.first.map { .nanoseconds($0.nanoseconds) } }
    /// The earliest event, if any.
    var first: DispatchEvent? { heap.first?.event }

    mutating func push(_ event: DispatchEvent, at time: Duration) {
        heap.append(Entry(nanoseconds: time.nanoseconds, seq: nextSeq, event: event))
        nextSeq += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest event if it is due at or before `time`.
    mutating func popFirst(notAfter time: Duration) -> (time: Duration, event: DispatchEvent)? {
        guard let first = heap.first, first.nanoseconds <= time.nanoseconds else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < n, heap[l].precedes(heap[m]) { m = l }
                if r < n, heap[r].precedes(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return (.nanoseconds(first.nanoseconds), first.event)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (the dispatcher's resolution).
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
