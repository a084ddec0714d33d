import Geo
import Participants

extension OutsideIn {
    /// Below this many participants a comparison sort is faster than the radix passes.
    static let radixThreshold = 256
    /// Bits per radix digit: six passes of 11 bits cover the 64-bit key with 2,048 buckets each.
    static let digitBits = 11

    /// Sorts participants outside-in with an LSD radix sort on 32-bit distance keys.
    ///
    /// Each distance is scaled to a 32-bit key, `UInt32(d * scale)` with `scale` fitting the largest
    /// distance into 32 bits; the key is monotonic in the distance, so sorting by key descending and
    /// then, within each run of equal keys, by the exact order (distance, then id) gives exactly the
    /// outside-in order. Runs of equal keys are short: households at the same address, and
    /// distances within a fraction of a millimetre. Three passes of 11 bits, 2,048 buckets each.
    ///
    /// - Complexity: O(n) plus O(k log k) per run of k equal keys.
    public static func radixSort(_ participants: inout [SelectedParticipant]) {
        let n = participants.count
        if n < radixThreshold {
            participants.sort(by: precedes)
            return
        }
        var maxDistance = 0.0
        for p in participants { maxDistance = max(maxDistance, p.distanceMeters) }
        let scale = maxDistance > 0 ? Double(UInt32.max) / maxDistance : 0
        // Complemented so that ascending keys are descending distances.
        var keys = [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n {
                let q = min(participants[i].distanceMeters * scale, Double(UInt32.max))
                buffer[i] = ~UInt32(q)
            }
            count = n
        }
        var order = [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = UInt32(i) }
            count = n
        }
        var keys2 = [UInt32](unsafeUninitializedCapacity: n) { _, count in count = n }
        var order2 = [UInt32](unsafeUninitializedCapacity: n) { _, count in count = n }
        let buckets = 1 << digitBits
        let mask = UInt32(buckets - 1)
        let passes = (32 + digitBits - 1) / digitBits
        var histogram = [Int](repeating: 0, count: buckets * passes)
        histogram.withUnsafeMutableBufferPointer { h in
            for k in keys {
                var rest = k
                for pass in 0..<passes {
                    h[pass * buckets + Int(rest & mask)] += 1
                    rest >>= UInt32(digitBits)
                }
            }
        }
        for pass in 0..<passes {
            let base = pass * buckets
            let shift = UInt32(pass * digitBits)
            if histogram[base + Int((keys[0] >> shift) & mask)] == n { continue }  // one digit: skip
            var offset = 0
            for d in 0..<buckets {
                let c = histogram[base + d]
                histogram[base + d] = offset
                offset += c
            }
            keys.withUnsafeBufferPointer { src in
                order.withUnsafeBufferPointer { srcOrder in
                    keys2.withUnsafeMutableBufferPointer { dst in
                        order2.withUnsafeMutableBufferPointer { dstOrder in
                            histogram.withUnsafeMutableBufferPointer { h in
                                for i in 0..<n {
                                    let k = src[i]
                                    let slot = base + Int((k >> shift) & mask)
                                    let at = h[slot]
                                    h[slot] = at + 1
                                    dst[at] = k
                                    dstOrder[at] = srcOrder[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2)
            swap(&order, &order2)
        }
        var sorted = [SelectedParticipant](unsafeUninitializedCapacity: n) { buffer, count in
            participants.withUnsafeBufferPointer { src in
                for i in 0..<n { buffer.initializeElement(at: i, to: src[Int(order[i])]) }
            }
            count = n
        }
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && keys[end] == keys[start] { end += 1 }
            if end - start > 1 { insertionSort(&sorted, start..<end) }
            start = end
        }
        participants = sorted
    }

    /// Sorts a short run in place (a household's tie run: no buffer, no allocation).
    @inline(__always)
    static func insertionSort(_ a: inout [SelectedParticipant], _ range: Range<Int>) {
        if range.count > 32 {
            a[range].sort(by: precedes)
            return
        }
        for i in (range.lowerBound + 1)..<range.upperBound {
            let x = a[i]
            var j = i
            while j > range.lowerBound && precedes(x, a[j - 1]) {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = x
        }
    }

    /// Moves the `k` participants that come first outside-in to the front, sorted, and leaves the
    /// rest (unsorted) behind them.
    ///
    /// - Returns: The number placed at the front: `min(k, count)`.
    /// - Complexity: O(n) expected (quickselect) plus O(k log k).
    @discardableResult
    public static func partialSort(_ participants: inout [SelectedParticipant], first k: Int) -> Int {
        let n = participants.count
        let k = min(max(k, 0), n)
        if k == 0 { return 0 }
        if k < n {
            var lo = 0
            var hi = n - 1
            var rng = SystemRandomNumberGenerator()
            while lo < hi {
                participants.swapAt(lo + Int.random(in: 0...(hi - lo), using: &rng), hi)
                let pivot = participants[hi]
                var store = lo
                for i in lo..<hi where precedes(participants[i], pivot) {
                    participants.swapAt(i, store)
                    store += 1
                }
                participants.swapAt(store, hi)
                if store == k - 1 || store == k { break }
                if store < k - 1 { lo = store + 1 } else { hi = store - 1 }
            }
        }
        participants[0..<k].sort(by: precedes)
        return k
    }
}
