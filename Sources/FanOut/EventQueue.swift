/// A binary min-heap of timed events; equal times come out in insertion order.
///
/// - Complexity: `push` and `popFirst` are O(log n).
struct EventQueue<Payload> {
    private var heap: [(time: Duration, seq: UInt64, payload: Payload)] = []
    private var nextSeq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var firstTime: Duration? { heap.first?.time }

    private static func less(
        _ a: (time: Duration, seq: UInt64, payload: Payload), _ b: (time: Duration, seq: UInt64, payload: Payload)
    ) -> Bool {
        a.time != b.time ? a.time < b.time : a.seq < b.seq
    }

    mutating func push(_ payload: Payload, at time: Duration) {
        heap.append((time, nextSeq, payload))
        nextSeq += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest event if it is due at or before `time`.
    mutating func popFirst(notAfter time: Duration) -> (time: Duration, payload: Payload)? {
        guard let first = heap.first, first.time <= time else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count, Self.less(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return (first.time, first.payload)
    }
}
