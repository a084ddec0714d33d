/// The one check the registry makes on a P-256 public key without a cryptography library: that
/// the point lies on the curve (y² = x³ − 3x + b mod p, SEC 2 §2.4.2), so that a subscription's
/// `p256dh` that is 65 bytes of something else is refused when it is stored, not at send time.
///
/// Plain 256-bit arithmetic over four 64-bit limbs (least significant first); multiplication is
/// shift-and-add modulo p: slow (about 10 µs a check) but short, and run once per subscription.
enum P256Point {
    typealias U256 = (UInt64, UInt64, UInt64, UInt64)

    /// The field prime p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1.
    static let p: U256 = (0xFFFF_FFFF_FFFF_FFFF, 0x0000_0000_FFFF_FFFF, 0x0000_0000_0000_0000, 0xFFFF_FFFF_0000_0001)
    /// The curve coefficient b.
    static let b: U256 = (0x3BCE_3C3E_27D2_604B, 0x651D_06B0_CC53_B0F6, 0xB3EB_BD55_7698_86BC, 0x5AC6_35D8_AA3A_93E7)

    /// Whether `bytes` (`04‖x‖y`, 65 bytes) is a point of the P-256 curve with coordinates below p.
    static func isOnCurve(uncompressed bytes: [UInt8]) -> Bool {
        guard bytes.count == 65, bytes[0] == 4 else { return false }
        let x = number(bytes[1..<33])
        let y = number(bytes[33..<65])
        guard less(x, p), less(y, p) else { return false }
        let x3 = mul(mul(x, x), x)
        let threeX = add(add(x, x), x)
        let rhs = add(sub(x3, threeX), b)
        return equal(mul(y, y), rhs)
    }

    /// A big-endian 32-byte number.
    private static func number(_ bytes: ArraySlice<UInt8>) -> U256 {
        var limbs: [UInt64] = [0, 0, 0, 0]
        for (i, byte) in bytes.enumerated() {
            let limb = 3 - i / 8
            limbs[limb] = limbs[limb] << 8 | UInt64(byte)
        }
        return (limbs[0], limbs[1], limbs[2], limbs[3])
    }

    private static func array(_ a: U256) -> [UInt64] { [a.0, a.1, a.2, a.3] }
    private static func tuple(_ a: [UInt64]) -> U256 { (a[0], a[1], a[2], a[3]) }

    private static func equal(_ a: U256, _ b: U256) -> Bool { array(a) == array(b) }

    private static func less(_ a: U256, _ b: U256) -> Bool {
        let x = array(a)
        let y = array(b)
        for i in stride(from: 3, through: 0, by: -1) where x[i] != y[i] { return x[i] < y[i] }
        return false
    }

    /// a − b without reduction, and whether it borrowed.
    private static func rawSub(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], Bool) {
        var out = [UInt64](repeating: 0, count: 4)
        var borrow = false
        for i in 0..<4 {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            out[i] = d2
            borrow = o1 || o2
        }
        return (out, borrow)
    }

    /// (a + b) mod p for a, b < p.
    private static func add(_ a: U256, _ b: U256) -> U256 {
        let x = array(a)
        let y = array(b)
        var sum = [UInt64](repeating: 0, count: 4)
        var carry = false
        for i in 0..<4 {
            let (s1, o1) = x[i].addingReportingOverflow(y[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            sum[i] = s2
            carry = o1 || o2
        }
        if carry || !less(tuple(sum), p) { sum = rawSub(sum, array(p)).0 }
        return tuple(sum)
    }

    /// (a − b) mod p for a, b < p.
    private static func sub(_ a: U256, _ b: U256) -> U256 {
        let (d, borrow) = rawSub(array(a), array(b))
        guard borrow else { return tuple(d) }
        // d + p wraps back below 2²⁵⁶.
        var out = [UInt64](repeating: 0, count: 4)
        var carry = false
        let q = array(p)
        for i in 0..<4 {
            let (s1, o1) = d[i].addingReportingOverflow(q[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            out[i] = s2
            carry = o1 || o2
        }
        return tuple(out)
    }

    /// (a · b) mod p for a, b < p: double and add over b's bits, most significant first.
    private static func mul(_ a: U256, _ b: U256) -> U256 {
        var r: U256 = (0, 0, 0, 0)
        let bits = array(b)
        for i in stride(from: 255, through: 0, by: -1) {
            r = add(r, r)
            if bits[i / 64] >> UInt64(i % 64) & 1 == 1 { r = add(r, a) }
        }
        return r
    }
}
