import Crypto
import FanOut
import Foundation
import Geo
import GeoFormats

/// Signs a CAP 1.2 message with an enveloped XML signature (XML-DSig 1.1): ECDSA P-256 with
/// SHA-256 over Exclusive XML Canonicalization 1.0, the `<Signature>` as the last child of
/// `<alert>` as CAP 1.2 (section 3.3.2.1) places it. Any XML-DSig verifier checks it, for
/// example `xmlsec1 --verify --pubkey-pem KEY.pub FILE` (Debian's xmlsec1).
///
/// No general canonicaliser is needed: ``CAPWriter/canonicalAlert(_:)`` writes the alert in its
/// canonical form, and the `<SignedInfo>` below is written in its canonical form too, so the
/// digest and the signature are taken over exactly the bytes a verifier canonicalises to.
public struct CAPSignature: Sendable {
    /// The private key's raw scalar (swift-crypto's key type is not `Sendable`).
    private let raw: Data
    /// The `<KeyName>` the signature names its key by.
    public let keyName: String

    /// Reads the signing key: a PEM EC P-256 private key (`openssl ecparam -name prime256v1
    /// -genkey -noout`, or PKCS #8 from `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`).
    ///
    /// - Throws: ``DispatchError`` `.invalidConfig` naming `source` (never the key).
    public init(pem: String, keyName: String, source: String) throws {
        do {
            let key = try P256.Signing.PrivateKey(pemRepresentation: pem)
            raw = key.rawRepresentation
            publicKeyPEM = key.publicKey.pemRepresentation
        } catch {
            throw DispatchError(
                .invalidConfig, "\(source): not a PEM EC P-256 private key (make one with "
                    + "`openssl ecparam -name prime256v1 -genkey -noout -out key.pem`)")
        }
        guard !keyName.isEmpty, !keyName.contains(where: { $0 == "<" || $0 == "&" || $0.isNewline }) else {
            throw DispatchError(.invalidConfig, "\(source): the key name may not be empty or hold '<', '&' or a newline")
        }
        self.keyName = keyName
    }

    /// Reads the signing key from a PEM file (at most 64 KiB), as the command line's
    /// `--signing-key` and the service's `public_feed.signing_key` name it.
    ///
    /// - Parameter source: How messages name the file (`--signing-key key.pem`).
    /// - Throws: ``DispatchError`` `.invalidConfig` naming `source`: unreadable, too large, or not a
    ///   PEM EC P-256 private key (never quoting the file).
    public init(contentsOf url: URL, keyName: String, source: String) throws {
        let limit = 64 << 10
        let data: Data
        do { data = try BoundedFile.read(url, limit: limit) } catch {
            switch error {
            case .tooLarge: throw DispatchError(.invalidConfig, "\(source): larger than \(BoundedFile.describe(limit: limit)), not a key")
            case .unreadable(let cause): throw DispatchError(.invalidConfig, "\(source): cannot read the key (\(cause.localizedDescription))")
            }
        }
        try self.init(pem: String(decoding: data, as: UTF8.self), keyName: keyName, source: source)
    }

    /// The public key as PEM, for whoever verifies.
    public let publicKeyPEM: String

    static let dsig = "http://www.w3.org/2000/09/xmldsig#"

    /// The signed CAP document of `message`.
    ///
    /// - Throws: ``GeoError`` `.parse` for a message CAP would reject (see ``CAPWriter/xml(_:)``).
    public func signed(_ message: CAPMessage) throws -> String {
        let alert = try CAPWriter.canonicalAlert(message)
        let digest = Data(SHA256.hash(data: Data(alert.utf8))).base64EncodedString()
        let signedInfo = """
            <SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">\
            </CanonicalizationMethod><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256">\
            </SignatureMethod><Reference URI=""><Transforms><Transform \
            Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></Transform><Transform \
            Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></Transform></Transforms><DigestMethod \
            Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>\(digest)</DigestValue>\
            </Reference></SignedInfo>
            """
        // Canonicalised alone, SignedInfo carries the namespace it inherits from <Signature>.
        let canonical = signedInfo.replacingOccurrences(of: "<SignedInfo>", with: "<SignedInfo xmlns=\"\(Self.dsig)\">")
        let key = try P256.Signing.PrivateKey(rawRepresentation: raw)
        let value = try key.signature(for: Data(canonical.utf8)).rawRepresentation.base64EncodedString()
        let signature = """
            <Signature xmlns="\(Self.dsig)">\(signedInfo)<SignatureValue>\(value)</SignatureValue>\
            <KeyInfo><KeyName>\(CAPWriter.canonicalText(keyName))</KeyName></KeyInfo></Signature>
            """
        guard alert.hasSuffix("</alert>") else { throw GeoError(.parse, "CAP: the alert has no end tag") }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + alert.dropLast("</alert>".count) + signature
            + "</alert>\n"
    }
}
