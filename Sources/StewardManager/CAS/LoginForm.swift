import Foundation

/// The fields of the CAS login form (`application/x-www-form-urlencoded`).
///
/// Read by hand, not with Hummingbird's `URLEncodedFormDecoder`: that decoder
/// refuses the whole form for a duplicate key or a bad escape in any field,
/// even one the login never reads (CAS clients send `execution`, `_eventId`
/// and `submit` too), and the user would be told the login ticket is missing.
/// Here the last of a duplicated key wins and a broken field reads as empty.
struct LoginForm {
    var username: String?
    var password: String?
    var lt: String?

    init(_ text: String) {
        let fields = Self.fields(text)
        username = fields["username"]
        password = fields["password"]
        lt = fields["lt"]
    }

    static func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = kv.first else { continue }
            out[decode(key)] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }
}
