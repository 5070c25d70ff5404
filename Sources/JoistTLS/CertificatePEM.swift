import Foundation

/// PEM text for DER-encoded certificates, as a probe returns them.
public enum CertificatePEM {
    /// `-----BEGIN CERTIFICATE-----`, the base64 of `der` in 64-character lines, `-----END CERTIFICATE-----`.
    public static func encode(der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString()
        var lines = ["-----BEGIN CERTIFICATE-----"]
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[start..<end]))
            start = end
        }
        lines.append("-----END CERTIFICATE-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
