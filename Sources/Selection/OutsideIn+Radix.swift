import Geo

extension OutsideIn {
    /// Below this many participants a comparison sort is faster than the radix passes.
    static let radixThreshold = 512

    /// Sorts participants outside-in with an LSD radix sort on the distance's bit pattern.
    ///
    /// Non-negative doubles order like their bit patterns, so sorting the complemented patterns
    /// ascending gives distance descending, exactly. Passes whose 16-bit digit is the same for
    /// every key are skipped. Equal distances, which the stable passes leave in arbitrary input
    /// order, are then ordered by id (the runs are households: short).
    ///
    /// - Complexity: O(n) for at most four passes, plus O(k log k) per run of k equal distances.
    public static func radixSort(_ participants: inout [SelectedParticipant]) {
        let n = participants.count
        if n < radixThreshold {
            participants.sort(by: precedes)
            return
        }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = ~participants[i].distanceMeters.bitPattern }
            count = n
        }
        var order = [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = UInt32(i) }
            count = n
        }
        var keys2 = keys
        var order2 = order
        var histogram = [Int](repeating: 0, count: 65_536 * 4)
        for k in keys {
            histogram[Int(k & 0xFFFF)] += 1
            histogram[65_536 + Int((k >> 16) & 0xFFFF)] += 1
            histogram[131_072 + Int((k >> 32) & 0xFFFF)] += 1
            histogram[196_608 + Int(k >> 48)] += 1
        }
        for pass in 0..<4 {
            let base = pass * 65_536
            let shift = UInt64(pass * 16)
            if histogram[base + Int((keys[0] >> shift) & 0xFFFF)] == n { continue }  // one digit: skip
            var offset = 0
            for d in 0..<65_536 {
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
                                    let slot = base + Int((k >> shift) & 0xFFFF)
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
        var sorted = [SelectedParticipant]()
        sorted.reserveCapacity(n)
        for i in order { sorted.append(participants[Int(i)]) }
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && keys[end] == keys[start] { end += 1 }
            if end - start > 1 { sorted[start..<end].sort { $0.id < $1.id } }
            start = end
        }
        participants = sorted
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
