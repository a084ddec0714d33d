/// A keyed bijection of `0..<count`: turns row numbers into ids that are not in row order.
///
/// A mixing function is applied to `k`-bit values, `2^k` the smallest power of two `>= count`:
/// rounds of `x ^= x >> s` and `x = (x * odd + key) mod 2^k`, each a bijection of `0..<2^k`.
/// Values that land in `count..<2^k` are mapped again ("cycle walking", Black and Rogaway 2002)
/// until they fall inside `0..<count`, which keeps the map a bijection of `0..<count`.
///
/// - Complexity: O(1) expected per value (fewer than 2 walks on average, since `2^k < 2 * count`).
struct IDPermutation: Sendable {
    let count: UInt64
    private let mask: UInt64
    private let shift: UInt64
    private let multipliers: (UInt64, UInt64, UInt64)
    private let keys: (UInt64, UInt64, UInt64)

    /// Creates the permutation of `0..<count` keyed by `seed`.
    init(count: UInt64, seed: UInt64) {
        self.count = count
        var bits: UInt64 = 1
        while bits < 64 && (UInt64(1) << bits) < count { bits += 1 }
        mask = bits >= 64 ? UInt64.max : (UInt64(1) << bits) - 1
        shift = max(1, bits / 2)
        var mix = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C908)
        multipliers = (mix.next() | 1, mix.next() | 1, mix.next() | 1)
        keys = (mix.next(), mix.next(), mix.next())
    }

    /// The image of `x` (which must be in `0..<count`).
    func callAsFunction(_ x: UInt64) -> UInt64 {
        precondition(x < count, "IDPermutation: \(x) is outside 0..<\(count)")
        var y = scramble(x)
        while y >= count { y = scramble(y) }
        return y
    }

    @inline(__always)
    private func scramble(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x ^ (x >> shift)) & mask
        x = (x &* multipliers.0 &+ keys.0) & mask
        x = (x ^ (x >> shift)) & mask
        x = (x &* multipliers.1 &+ keys.1) & mask
        x = (x ^ (x >> shift)) & mask
        x = (x &* multipliers.2 &+ keys.2) & mask
        x = (x ^ (x >> shift)) & mask
        return x
    }
}
